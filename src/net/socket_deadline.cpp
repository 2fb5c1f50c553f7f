#include "net/socket_deadline.h"

namespace osprey::net {

SocketDeadline::SocketDeadline(boost::asio::ip::tcp::socket& socket)
    : state_(std::make_shared<State>(State{&socket, nullptr})), timer_(socket.get_executor()) {
  state_->timer = &timer_;
}

SocketDeadline::~SocketDeadline() {
  state_->socket = nullptr;
  state_->timer = nullptr;
}

void SocketDeadline::arm(std::chrono::steady_clock::duration d) {
  arm_at(std::chrono::steady_clock::now() + d);
}

void SocketDeadline::arm_at(TimePoint when) {
  state_->expired = false;
  state_->deadline = when;
  // A pending wait that fires no later than `when` re-waits for it then.
  if (state_->wait_until <= when) return;
  wait(state_, when);
}

void SocketDeadline::disarm() { state_->deadline = TimePoint::max(); }

void SocketDeadline::wait(const std::shared_ptr<State>& state, TimePoint until) {
  const std::uint64_t id = ++state->wait_id;
  state->wait_until = until;
  state->timer->expires_at(until);  // cancels a pending wait: its handler sees a stale id
  state->timer->async_wait([state, id](boost::system::error_code ec) {
    if (state->socket == nullptr || state->wait_id != id) return;
    state->wait_until = TimePoint::max();
    if (ec || state->deadline == TimePoint::max()) return;
    if (std::chrono::steady_clock::now() < state->deadline) {
      wait(state, state->deadline);  // re-armed for later since this wait began
      return;
    }
    state->deadline = TimePoint::max();
    state->expired = true;
    boost::system::error_code ignored;
    state->socket->cancel(ignored);
  });
}

}  // namespace osprey::net
