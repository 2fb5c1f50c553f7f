#pragma once
// Router: maps (method, path) to a handler. Patterns are literal segments and `{name}`
// parameters, e.g. "/v1/jobs/{id}/cancel". Built once at start-up, read-only afterwards, so
// matching is thread-safe without locks.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/request.h"
#include "net/response.h"
#include "net/task.h"

namespace osprey::net {

using Handler = std::function<Task<Response>(Request&)>;

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
  const Handler* handler = nullptr;
  std::string_view pattern;  // matched pattern when found; owned by the Router
  std::vector<std::pair<std::string, std::string>> params;  // decoded path parameters
  std::string allow;                                        // "GET, POST" when kMethodNotAllowed
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // REQUIRES: pattern starts with '/'; the same (method, pattern) is added once.
  void add(std::string_view method, std::string_view pattern, Handler handler);
  void get(std::string_view pattern, Handler h) { add("GET", pattern, std::move(h)); }
  void post(std::string_view pattern, Handler h) { add("POST", pattern, std::move(h)); }
  void put(std::string_view pattern, Handler h) { add("PUT", pattern, std::move(h)); }
  void del(std::string_view pattern, Handler h) { add("DELETE", pattern, std::move(h)); }

  // HEAD is answered by a GET route. Literal segments win over parameters. `path` is the raw
  // (still percent-encoded) path without the query; segments are decoded after splitting, so an
  // encoded '/' stays inside one parameter.
  RouteMatch match(std::string_view method, std::string_view path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace osprey::net
