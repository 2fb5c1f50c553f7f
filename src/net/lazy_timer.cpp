#include "net/lazy_timer.h"

#include <utility>

namespace osprey::net {

LazyTimer::LazyTimer(const boost::asio::any_io_executor& executor, std::function<void()> on_fire)
    : state_(std::make_shared<State>()), timer_(executor) {
  state_->timer = &timer_;
  state_->on_fire = std::move(on_fire);
}

LazyTimer::~LazyTimer() { state_->timer = nullptr; }

void LazyTimer::arm_at(TimePoint when) {
  state_->deadline = when;
  // A pending wait that fires no later than `when` waits again for it then.
  if (state_->wait_until <= when) return;
  wait(state_, when);
}

void LazyTimer::disarm() { state_->deadline = TimePoint::max(); }

void LazyTimer::release() {
  disarm();
  if (state_->wait_until == TimePoint::max()) return;
  ++state_->wait_id;  // the cancelled wait's handler is stale
  state_->wait_until = TimePoint::max();
  timer_.cancel();
}

void LazyTimer::wait(const std::shared_ptr<State>& state, TimePoint until) {
  const std::uint64_t id = ++state->wait_id;
  state->wait_until = until;
  state->timer->expires_at(until);  // cancels a pending wait: its handler sees a stale id
  state->timer->async_wait([state, id](boost::system::error_code ec) {
    if (state->timer == nullptr || state->wait_id != id) return;
    state->wait_until = TimePoint::max();
    if (ec || state->deadline == TimePoint::max()) return;
    if (std::chrono::steady_clock::now() < state->deadline) {
      wait(state, state->deadline);  // re-armed for later since this wait began
      return;
    }
    state->deadline = TimePoint::max();
    state->on_fire();
  });
}

}  // namespace osprey::net
