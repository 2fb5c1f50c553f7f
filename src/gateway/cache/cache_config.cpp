#include "gateway/cache/cache_config.h"

#include <string>

#include "router/config_fields.h"

namespace osprey::gateway {

Result<CacheConfig> parse_cache_config(const nlohmann::json& sections) {
  CacheConfig config;
  if (!sections.is_object() || !sections.contains("cache")) return config;
  router::ConfigErrors errors;
  router::ConfigFields f(sections["cache"], "cache", errors);
  config.enabled = f.boolean("enabled", config.enabled);
  if (f.has("max_bytes")) {
    const nlohmann::json& v = sections["cache"]["max_bytes"];
    f.consume("max_bytes");
    if (!v.is_number_integer() || v.get<std::int64_t>() < 1024) {
      f.fail("max_bytes", "must be an integer >= 1024 (bytes)");
    } else {
      config.max_bytes = v.get<std::int64_t>();
    }
  }
  config.ttl = f.millis("ttl_ms", config.ttl, 1);
  config.shared = f.boolean("shared", config.shared);
  config.cache_nondeterministic =
      f.boolean("cache_nondeterministic", config.cache_nondeterministic);
  f.reject_unknown();
  if (!errors.ok()) return *errors.first;
  return config;
}

}  // namespace osprey::gateway
