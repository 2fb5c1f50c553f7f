#pragma once
// CacheMetrics: the response cache's counters and gauges (hits, misses, bypasses, stores,
// evictions by reason, bytes and entries held). Thread-safe: every child is resolved once here.
#include "core/metrics.h"

namespace osprey::gateway {

struct CacheMetrics {
  explicit CacheMetrics(metrics::Registry& registry);

  metrics::Counter& hits;
  metrics::Counter& misses;
  metrics::Counter& bypasses;  // requests not cacheable (no-store, nondeterministic sampling)
  metrics::Counter& stores;
  metrics::Counter& evicted_lru;          // to stay under cache.max_bytes
  metrics::Counter& evicted_expired;      // past cache.ttl_ms
  metrics::Counter& evicted_invalidated;  // POST /admin/cache/invalidate
  metrics::Gauge& bytes;
  metrics::Gauge& entries;
};

}  // namespace osprey::gateway
