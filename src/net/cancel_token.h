#pragma once
// CancelToken: a cancellation signal passed down a call chain (e.g. fired when the downstream
// client disconnects, or by a deadline owner). Thread-safe: cancel(), subscribe() and
// unsubscribe() may be called from any thread. Each callback runs at most once: on the thread
// that calls cancel(), or immediately inside subscribe() if already cancelled. Callbacks must be
// short and non-blocking (typically they post work to an executor).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace osprey::net {

class CancelToken {
 public:
  using Callback = std::function<void()>;
  using SubscriptionId = std::uint64_t;
  static constexpr SubscriptionId kNoSubscription = 0;

  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Fires the signal; later calls do nothing.
  void cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Registers `callback` for cancel(). If already cancelled, runs it now and returns
  // kNoSubscription.
  SubscriptionId subscribe(Callback callback);
  // Removes a callback that has not run yet; unknown ids (or ones already run) are ignored.
  void unsubscribe(SubscriptionId id);

 private:
  mutable std::mutex mu_;  // guards callbacks_, next_id_, and the cancelled_ transition
  std::map<SubscriptionId, Callback> callbacks_;
  SubscriptionId next_id_ = 1;
  std::atomic<bool> cancelled_{false};
};

}  // namespace osprey::net
