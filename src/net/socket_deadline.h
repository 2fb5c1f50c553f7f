#pragma once
// SocketDeadline: cancels a socket's pending operations when a deadline passes, but leaves the
// socket open, so the server can still answer 408 (beast::tcp_stream would close it instead).
// Built on LazyTimer: a keep-alive request arms and disarms several deadlines, and in the common
// case that costs no timer operation at all.
// Used only on the owning connection's strand; not thread-safe.
#include <boost/asio/ip/tcp.hpp>
#include <chrono>

#include "net/lazy_timer.h"

namespace osprey::net {

class SocketDeadline {
 public:
  explicit SocketDeadline(boost::asio::ip::tcp::socket& socket);

  // Starts a new deadline, replacing any previous one.
  void arm(std::chrono::steady_clock::duration d) { arm_at(std::chrono::steady_clock::now() + d); }
  void arm_at(std::chrono::steady_clock::time_point when);
  void disarm() { timer_.disarm(); }
  // Disarms and ends the pending timer wait (see LazyTimer::release).
  void release() { timer_.release(); }
  // True if the most recent deadline fired (and cancelled the socket's operations).
  bool expired() const { return expired_; }

 private:
  boost::asio::ip::tcp::socket& socket_;
  bool expired_ = false;
  LazyTimer timer_;
};

}  // namespace osprey::net
