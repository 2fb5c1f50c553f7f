#pragma once
// SocketDeadline: cancels a socket's pending operations when a deadline passes, but leaves the
// socket open, so the server can still answer 408 (beast::tcp_stream would close it instead).
// Used only on the owning connection's strand; not thread-safe.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace osprey::net {

class SocketDeadline {
 public:
  explicit SocketDeadline(boost::asio::ip::tcp::socket& socket);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // Starts a new deadline, replacing any previous one.
  void arm(std::chrono::steady_clock::duration d);
  void arm_at(std::chrono::steady_clock::time_point when);
  void disarm();
  // True if the most recent deadline fired (and cancelled the socket's operations).
  bool expired() const { return state_->expired; }

 private:
  // Shared with the timer's handler, which may run after this object is gone.
  struct State {
    boost::asio::ip::tcp::socket* socket;
    std::uint64_t generation = 0;
    bool expired = false;
  };
  std::shared_ptr<State> state_;
  boost::asio::steady_timer timer_;
};

}  // namespace osprey::net
