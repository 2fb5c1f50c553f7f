#pragma once
// The `auth:` configuration section:
//   auth:
//     key_refresh_ms: 1000     # poll of the key change feed = bound on revocation delay
//     negative_cache_ms: 1000  # how long an unknown key is remembered as unknown
//     cache_max_keys: 100000   # keys held in memory before the cache starts over
//     audit_flush_ms: 500      # how often queued audit entries (refused keys) are written
// Unknown keys are rejected; errors name the key (config_invalid).
#include <chrono>
#include <cstddef>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "gateway/auth/key_cache.h"

namespace osprey::gateway {

struct AuthConfig {
  KeyCacheOptions keys;
  std::chrono::milliseconds audit_flush{500};
};

// `sections` is Config::sections; a missing `auth` section gives the defaults.
Result<AuthConfig> parse_auth_config(const nlohmann::json& sections);

}  // namespace osprey::gateway
