#include "net/cancel_token.h"

#include <utility>

namespace osprey::net {

void CancelToken::cancel() {
  std::map<SubscriptionId, Callback> to_run;
  {
    std::lock_guard lock(mu_);
    if (cancelled_.load(std::memory_order_relaxed)) return;
    cancelled_.store(true, std::memory_order_release);
    to_run.swap(callbacks_);
  }
  // Outside the lock: a callback may unsubscribe or subscribe without deadlocking.
  for (auto& [id, callback] : to_run) callback();
}

CancelToken::SubscriptionId CancelToken::subscribe(Callback callback) {
  {
    std::lock_guard lock(mu_);
    if (!cancelled_.load(std::memory_order_relaxed)) {
      const SubscriptionId id = next_id_++;
      callbacks_.emplace(id, std::move(callback));
      return id;
    }
  }
  callback();
  return kNoSubscription;
}

void CancelToken::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mu_);
  callbacks_.erase(id);
}

}  // namespace osprey::net
