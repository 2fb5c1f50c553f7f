#include "gateway/auth/auth_config.h"

#include "router/config_fields.h"

namespace osprey::gateway {

Result<AuthConfig> parse_auth_config(const nlohmann::json& sections) {
  AuthConfig config;
  if (!sections.is_object() || !sections.contains("auth") || sections.at("auth").is_null()) {
    return config;
  }
  router::ConfigErrors errors;
  router::ConfigFields f(sections.at("auth"), "auth", errors);
  config.keys.refresh_interval = f.millis("key_refresh_ms", config.keys.refresh_interval, 10);
  config.keys.negative_ttl = f.millis("negative_cache_ms", config.keys.negative_ttl, 0);
  config.keys.max_entries = static_cast<std::size_t>(
      f.integer("cache_max_keys", static_cast<int>(config.keys.max_entries), 1, 100'000'000));
  config.audit_flush = f.millis("audit_flush_ms", config.audit_flush, 10);
  f.reject_unknown();
  if (!errors.ok()) return *errors.first;
  return config;
}

}  // namespace osprey::gateway
