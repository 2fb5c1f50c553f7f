#pragma once
// CacheConfig: the `cache:` section (the in-process response cache). Off unless
// `cache.enabled: true`. Plain values.
#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::gateway {

struct CacheConfig {
  bool enabled = false;
  std::int64_t max_bytes = 64LL * 1024 * 1024;  // all entries together; LRU eviction past it
  std::chrono::milliseconds ttl{300'000};       // an entry older than this is never served
  bool shared = false;  // one cache for every tenant instead of one per tenant
  // Also cache requests sampled with temperature > 0 (or without temperature: OpenAI's default
  // is 1), whose answers would differ from call to call.
  bool cache_nondeterministic = false;
};

// Parses `sections["cache"]` (absent = defaults). Errors are kConfigInvalid, one line naming
// the key, e.g. "cache.ttl_ms: must be >= 1".
Result<CacheConfig> parse_cache_config(const nlohmann::json& sections);

}  // namespace osprey::gateway
