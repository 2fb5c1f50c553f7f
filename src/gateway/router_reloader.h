#pragma once
// RouterReloader: re-reads the model table from its source (the config file + environment) and
// installs it in the ModelRouter, for POST /admin/reload and SIGHUP. An invalid table is
// rejected with a message naming the key and the old table keeps serving.
// Thread-safe: concurrent reloads are serialized. reload() reads files, so call it off the I/O
// threads (e.g. through net::WorkerPool::run).
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>

#include "core/result.h"
#include "router/model_router.h"
#include "router/router_config.h"

namespace osprey::gateway {

class RouterReloader {
 public:
  using ConfigSource = std::function<Result<router::RouterConfig>()>;

  RouterReloader(router::ModelRouter& router, ConfigSource source);

  // Loads and installs a fresh table; returns the number of models now served. `trigger`
  // ("sighup", "admin_api") goes into the log line.
  Result<std::size_t> reload(std::string_view trigger);

 private:
  router::ModelRouter& router_;
  ConfigSource source_;
  std::mutex mu_;  // serializes reloads, so two racing ones cannot install out of order
};

}  // namespace osprey::gateway
