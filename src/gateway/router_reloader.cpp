#include "gateway/router_reloader.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "core/log.h"

namespace osprey::gateway {

RouterReloader::RouterReloader(router::ModelRouter& router, ConfigSource source)
    : router_(router), source_(std::move(source)) {}

Result<std::size_t> RouterReloader::reload(std::string_view trigger, std::string_view actor) {
  std::lock_guard lock(mu_);
  Result<router::RouterConfig> config = source_();
  Status status = config ? router_.load(config.value()) : Status(config.error());
  nlohmann::json detail = {{"trigger", trigger}};
  if (!status.ok()) {
    log::warn("reload_failed", {{"trigger", trigger}, {"error", status.error().message}});
    detail["error"] = status.error().message;
    record(actor, "config.reload_failed", detail);
    return status.error();
  }
  const std::size_t models = config.value().models.size();
  log::info("reload_complete", {{"trigger", trigger}, {"models", models}});
  detail["models"] = models;
  record(actor, "config.reload", detail);
  return models;
}

void RouterReloader::record(std::string_view actor, std::string_view action,
                            const nlohmann::json& detail) {
  if (audit_ == nullptr) return;
  audit_->append(store::NewAuditEntry{.at = {},
                                      .actor = std::string(actor),
                                      .action = std::string(action),
                                      .target = "models",
                                      .detail_json = detail.dump()});
}

}  // namespace osprey::gateway
