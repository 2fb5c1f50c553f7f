#include "gateway/router_reloader.h"

#include <utility>

#include "core/log.h"

namespace osprey::gateway {

RouterReloader::RouterReloader(router::ModelRouter& router, ConfigSource source)
    : router_(router), source_(std::move(source)) {}

Result<std::size_t> RouterReloader::reload(std::string_view trigger) {
  std::lock_guard lock(mu_);
  Result<router::RouterConfig> config = source_();
  Status status = config ? router_.load(config.value()) : Status(config.error());
  if (!status.ok()) {
    log::warn("reload_failed", {{"trigger", trigger}, {"error", status.error().message}});
    return status.error();
  }
  const std::size_t models = config.value().models.size();
  log::info("reload_complete", {{"trigger", trigger}, {"models", models}});
  return models;
}

}  // namespace osprey::gateway
