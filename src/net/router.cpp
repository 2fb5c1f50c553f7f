#include "net/router.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "core/string_map.h"
#include "net/percent_decode.h"

namespace osprey::net {
namespace {

struct Segment {
  std::string text;  // literal text, or the parameter name
  bool is_param = false;
};

struct Route {
  std::string method;
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;
};

// Splits "/a/b/" into {"a", "b", ""}: a trailing slash is a segment of its own, so "/x/" and
// "/x" are different paths.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// Fills `params` when `route` matches; `rank` gets one flag per segment (1 literal, 0 param) so
// that comparing ranks lexicographically makes the earliest literal segment win.
bool matches(const Route& route, const std::vector<std::string>& decoded,
             const std::vector<std::string_view>& raw,
             std::vector<std::pair<std::string, std::string>>* params, std::vector<int>* rank) {
  if (route.segments.size() != decoded.size()) return false;
  params->clear();
  rank->clear();
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    const Segment& s = route.segments[i];
    if (s.is_param) {
      if (raw[i].empty()) return false;
      params->emplace_back(s.text, decoded[i]);
      rank->push_back(0);
    } else {
      if (s.text != decoded[i]) return false;
      rank->push_back(1);
    }
  }
  return true;
}

}  // namespace

struct Router::Impl {
  std::vector<Route> routes;
  // Routes without parameters by their exact pattern (indices into `routes`): most requests hit
  // one of these, and an all-literal match outranks every other, so no scan is needed.
  StringMap<std::vector<std::size_t>> literal;
};

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  assert(!pattern.empty() && pattern.front() == '/');
  Route route{std::string(method), std::string(pattern), {}, std::move(handler)};
  for (std::string_view seg : split_path(pattern)) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      route.segments.push_back({std::string(seg.substr(1, seg.size() - 2)), true});
    } else {
      route.segments.push_back({std::string(seg), false});
    }
  }
  const bool has_param = std::any_of(route.segments.begin(), route.segments.end(),
                                     [](const Segment& s) { return s.is_param; });
  if (!has_param) impl_->literal[route.pattern].push_back(impl_->routes.size());
  impl_->routes.push_back(std::move(route));
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  // Fast path: a path with no escapes equals its decoded form, so it can be looked up as is.
  if (path.find('%') == std::string_view::npos) {
    if (auto it = impl_->literal.find(path); it != impl_->literal.end()) {
      for (std::size_t index : it->second) {
        const Route& route = impl_->routes[index];
        if (route.method != wanted && route.method != method) continue;
        RouteMatch found;
        found.kind = RouteMatch::Kind::kFound;
        found.handler = &route.handler;
        found.pattern = route.pattern;
        return found;
      }
    }
  }
  const std::vector<std::string_view> raw = split_path(path);
  std::vector<std::string> decoded;
  decoded.reserve(raw.size());
  for (std::string_view seg : raw) decoded.push_back(percent_decode(seg));

  RouteMatch result;
  const Route* best = nullptr;
  std::vector<int> best_rank;
  std::vector<std::string> allowed;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<int> rank;
  for (const Route& route : impl_->routes) {
    if (!matches(route, decoded, raw, &params, &rank)) continue;
    if (route.method != wanted && route.method != method) {
      if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
        allowed.push_back(route.method);
      }
      continue;
    }
    if (best == nullptr || rank > best_rank) {
      best = &route;
      best_rank = rank;
      result.params = params;
    }
  }
  if (best != nullptr) {
    result.kind = RouteMatch::Kind::kFound;
    result.handler = &best->handler;
    result.pattern = best->pattern;
    return result;
  }
  result.params.clear();
  if (allowed.empty()) return result;  // kNotFound
  // GET routes answer HEAD too, so say so.
  if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end() &&
      std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
    allowed.push_back("HEAD");
  }
  result.kind = RouteMatch::Kind::kMethodNotAllowed;
  for (const std::string& m : allowed) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += m;
  }
  return result;
}

}  // namespace osprey::net
