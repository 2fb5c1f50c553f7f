#pragma once
// LazyTimer: calls a function when a deadline passes, for deadlines that are set and cleared far
// more often than they fire (per-request timeouts on keep-alive connections). arm() and
// disarm() only record the deadline; the one timer wait is moved only when a deadline comes
// earlier than the pending wait, and a wait that fires before the recorded deadline waits again.
// So re-arming for later, the common case, costs no timer operation.
// Used on one executor (strand); not thread-safe. The function never runs after destruction.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace osprey::net {

class LazyTimer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  LazyTimer(const boost::asio::any_io_executor& executor, std::function<void()> on_fire);
  ~LazyTimer();
  LazyTimer(const LazyTimer&) = delete;
  LazyTimer& operator=(const LazyTimer&) = delete;

  // Sets the deadline, replacing any previous one; on_fire runs once when it passes.
  void arm_at(TimePoint when);
  void arm(std::chrono::steady_clock::duration d) { arm_at(std::chrono::steady_clock::now() + d); }
  void disarm();
  // Disarms and also ends the pending timer wait, which otherwise keeps the io_context busy
  // until it fires: for an owner about to sit idle (a pooled connection). Costs one cancel.
  void release();

 private:
  // Shared with the timer's handler, which may run after this object is gone.
  struct State {
    boost::asio::steady_timer* timer = nullptr;  // null once the LazyTimer is gone
    std::function<void()> on_fire;
    TimePoint deadline = TimePoint::max();    // max: disarmed
    TimePoint wait_until = TimePoint::max();  // when the pending wait fires; max: none pending
    std::uint64_t wait_id = 0;                // which wait is pending; older handlers are stale
  };
  static void wait(const std::shared_ptr<State>& state, TimePoint until);

  std::shared_ptr<State> state_;
  boost::asio::steady_timer timer_;
};

}  // namespace osprey::net
