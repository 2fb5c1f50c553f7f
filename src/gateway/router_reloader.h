#pragma once
// RouterReloader: re-reads the model table from its source (the config file + environment) and
// installs it in the ModelRouter, for POST /admin/reload and SIGHUP. An invalid table is
// rejected with a message naming the key and the old table keeps serving.
// Thread-safe: concurrent reloads are serialized. reload() reads files, so call it off the I/O
// threads (e.g. through net::WorkerPool::run). Every reload, successful or not, is recorded in
// the audit log when one is attached.
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "gateway/audit/audit_queue.h"
#include "router/model_router.h"
#include "router/router_config.h"

namespace osprey::gateway {

class RouterReloader {
 public:
  using ConfigSource = std::function<Result<router::RouterConfig>()>;

  RouterReloader(router::ModelRouter& router, ConfigSource source);

  // Loads and installs a fresh table; returns the number of models now served. `trigger`
  // ("sighup", "admin_api") goes into the log line; `actor` into the audit entry.
  Result<std::size_t> reload(std::string_view trigger, std::string_view actor = "system");

  // Attaches the audit log; call before the first reload that should be recorded.
  void set_audit(AuditQueue* audit) { audit_ = audit; }

 private:
  router::ModelRouter& router_;
  ConfigSource source_;
  void record(std::string_view actor, std::string_view action, const nlohmann::json& detail);

  AuditQueue* audit_ = nullptr;
  std::mutex mu_;  // serializes reloads, so two racing ones cannot install out of order
};

}  // namespace osprey::gateway
