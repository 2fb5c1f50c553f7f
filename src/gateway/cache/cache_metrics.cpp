#include "gateway/cache/cache_metrics.h"

namespace osprey::gateway {
namespace {

metrics::Counter& evictions(metrics::Registry& registry, std::string_view reason) {
  return registry
      .counter("osprey_cache_evictions_total", "Response cache entries dropped by reason",
               {"reason"})
      .with({reason});
}

}  // namespace

CacheMetrics::CacheMetrics(metrics::Registry& registry)
    : hits(registry.counter("osprey_cache_hits_total", "Chat requests answered from the cache")
               .with()),
      misses(registry
                 .counter("osprey_cache_misses_total",
                          "Cacheable chat requests not found in the cache")
                 .with()),
      bypasses(registry
                   .counter("osprey_cache_bypass_total",
                            "Chat requests the cache skipped (no-store, nondeterministic)")
                   .with()),
      stores(registry.counter("osprey_cache_stores_total", "Answers saved in the cache").with()),
      evicted_lru(evictions(registry, "lru")),
      evicted_expired(evictions(registry, "expired")),
      evicted_invalidated(evictions(registry, "invalidated")),
      bytes(registry.gauge("osprey_cache_bytes", "Bytes held by the response cache").with()),
      entries(registry.gauge("osprey_cache_entries", "Entries held by the response cache").with()) {
}

}  // namespace osprey::gateway
