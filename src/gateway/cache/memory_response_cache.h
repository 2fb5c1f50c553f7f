#pragma once
// MemoryResponseCache: the in-process ResponseCache. Bounded by bytes with least-recently-used
// eviction, and by age (an entry older than the TTL is dropped on access). An entry larger than
// the whole bound is not stored. Thread-safe (one mutex); lookups hand out shared read-only
// entries, so a hit copies nothing.
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "gateway/cache/cache_metrics.h"
#include "gateway/cache/response_cache.h"

namespace osprey::gateway {

class MemoryResponseCache final : public ResponseCache {
 public:
  // `metrics` may be null (tests).
  MemoryResponseCache(std::size_t max_bytes, std::chrono::milliseconds ttl, const Clock& clock,
                      CacheMetrics* metrics);

  // The synchronous operations behind the ResponseCache coroutines.
  std::shared_ptr<const CachedAnswer> get(const std::string& key);
  void put(std::string key, CachedAnswer answer);
  std::size_t erase_matching(const CacheInvalidation& which);

  std::size_t bytes() const;
  std::size_t entries() const;

  net::Task<std::shared_ptr<const CachedAnswer>> lookup(std::string key) override;
  void store(std::string key, CachedAnswer answer) override;
  net::Task<std::size_t> invalidate(CacheInvalidation which) override;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const CachedAnswer> answer;
    std::size_t bytes = 0;
    std::chrono::steady_clock::time_point stored_at;
  };
  using Lru = std::list<Entry>;  // most recently used first

  void erase_locked(Lru::iterator it);  // REQUIRES: mu_ held
  void publish_locked();                // REQUIRES: mu_ held

  const std::size_t max_bytes_;
  const std::chrono::milliseconds ttl_;
  const Clock& clock_;
  CacheMetrics* const metrics_;
  mutable std::mutex mu_;  // guards lru_, index_, bytes_
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
  std::size_t bytes_ = 0;
};

}  // namespace osprey::gateway
