#pragma once
// ConcurrencyLimiter: requests in flight per API key, for UsagePlan::max_concurrent. In process
// (one node); a shared backend can replace it like RateLimiterBackend. Thread-safe (one mutex).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace osprey::gateway {

class ConcurrencyLimiter {
 public:
  // Takes a slot for `key_id` if fewer than `max` are taken; max <= 0 means unlimited (nothing
  // is counted, and release() must not be called).
  bool try_acquire(std::int64_t key_id, int max);
  // Gives back a slot taken by try_acquire.
  void release(std::int64_t key_id);
  int in_flight(std::int64_t key_id) const;
  // Keys with at least one request in flight.
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, int> in_flight_;  // guarded by mu_; no zero entries
};

}  // namespace osprey::gateway
