#include "net/socket_deadline.h"

namespace osprey::net {

SocketDeadline::SocketDeadline(boost::asio::ip::tcp::socket& socket)
    : state_(std::make_shared<State>(State{&socket})), timer_(socket.get_executor()) {}

SocketDeadline::~SocketDeadline() { state_->socket = nullptr; }

void SocketDeadline::arm(std::chrono::steady_clock::duration d) {
  arm_at(std::chrono::steady_clock::now() + d);
}

void SocketDeadline::arm_at(std::chrono::steady_clock::time_point when) {
  const std::uint64_t generation = ++state_->generation;
  state_->expired = false;
  timer_.expires_at(when);
  timer_.async_wait([state = state_, generation](boost::system::error_code ec) {
    // A stale handler (re-armed or disarmed since) must not cancel a newer operation.
    if (ec || state->generation != generation || state->socket == nullptr) return;
    state->expired = true;
    boost::system::error_code ignored;
    state->socket->cancel(ignored);
  });
}

void SocketDeadline::disarm() {
  ++state_->generation;
  timer_.cancel();
}

}  // namespace osprey::net
