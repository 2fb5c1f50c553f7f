#pragma once
// SocketDeadline: cancels a socket's pending operations when a deadline passes, but leaves the
// socket open, so the server can still answer 408 (beast::tcp_stream would close it instead).
// Lazy: arm() and disarm() only record the deadline. The one timer wait is rescheduled only when
// a deadline comes earlier than the pending wait; a wait that fires early re-waits for the
// recorded deadline. A keep-alive request arms and disarms several deadlines, and with this
// costs no timer operation at all in the common case.
// Used only on the owning connection's strand; not thread-safe.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace osprey::net {

class SocketDeadline {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit SocketDeadline(boost::asio::ip::tcp::socket& socket);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // Starts a new deadline, replacing any previous one.
  void arm(std::chrono::steady_clock::duration d);
  void arm_at(TimePoint when);
  void disarm();
  // True if the most recent deadline fired (and cancelled the socket's operations).
  bool expired() const { return state_->expired; }

 private:
  // Shared with the timer's handler, which may run after this object is gone.
  struct State {
    boost::asio::ip::tcp::socket* socket;
    boost::asio::steady_timer* timer;
    TimePoint deadline = TimePoint::max();    // max: disarmed
    TimePoint wait_until = TimePoint::max();  // when the pending wait fires; max: none pending
    std::uint64_t wait_id = 0;                // which wait is pending; older handlers are stale
    bool expired = false;
  };
  static void wait(const std::shared_ptr<State>& state, TimePoint until);

  std::shared_ptr<State> state_;
  boost::asio::steady_timer timer_;
};

}  // namespace osprey::net
