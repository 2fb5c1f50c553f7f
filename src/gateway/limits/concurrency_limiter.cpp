#include "gateway/limits/concurrency_limiter.h"

namespace osprey::gateway {

bool ConcurrencyLimiter::try_acquire(std::int64_t key_id, int max) {
  if (max <= 0) return true;
  std::lock_guard lock(mu_);
  int& n = in_flight_[key_id];
  if (n >= max) {
    if (n == 0) in_flight_.erase(key_id);
    return false;
  }
  ++n;
  return true;
}

void ConcurrencyLimiter::release(std::int64_t key_id) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(key_id);
  if (it == in_flight_.end()) return;
  if (--it->second <= 0) in_flight_.erase(it);
}

int ConcurrencyLimiter::in_flight(std::int64_t key_id) const {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(key_id);
  return it == in_flight_.end() ? 0 : it->second;
}

std::size_t ConcurrencyLimiter::size() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

}  // namespace osprey::gateway
