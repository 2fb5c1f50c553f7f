#include "net/waiter.h"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <optional>
#include <utility>

namespace osprey::net {

struct Waiter::State {
  std::mutex mu;  // guards every member; the timer is touched only under it
  bool woken = false;
  boost::asio::any_completion_handler<void()> handler;  // the suspended wait_for, if any
  boost::asio::any_io_executor executor;                // the waiting coroutine's
  std::optional<boost::asio::steady_timer> timer;
};

namespace {

// Moved with swap() only: Boost 1.81's move assignment wraps the source instead of moving it.
using WakeHandler = boost::asio::any_completion_handler<void()>;

// Resumes the waiting coroutine on its own executor (never inline on the caller's thread).
void resume(const boost::asio::any_io_executor& executor, WakeHandler handler) {
  if (!handler) return;
  boost::asio::post(executor, [h = std::move(handler)]() mutable { std::move(h)(); });
}

}  // namespace

Waiter::Waiter() : state_(std::make_shared<State>()) {}

Waiter::~Waiter() = default;

bool Waiter::woken() const {
  std::lock_guard lock(state_->mu);
  return state_->woken;
}

void Waiter::wake() { wake(state_); }

void Waiter::wake(const std::shared_ptr<State>& state) {
  WakeHandler handler;
  boost::asio::any_io_executor executor;
  {
    std::lock_guard lock(state->mu);
    if (state->woken) return;
    state->woken = true;
    handler.swap(state->handler);
    executor = state->executor;
    if (state->timer) {
      // Cancel on the timer's executor, not from this (maybe foreign) thread, so the pending
      // timer does not keep an io_context busy until it expires.
      boost::asio::post(state->timer->get_executor(), [state] {
        std::lock_guard inner(state->mu);
        state->timer->cancel();
      });
    }
  }
  resume(executor, std::move(handler));
}

Task<bool> Waiter::wait_for(std::chrono::milliseconds timeout) {
  std::shared_ptr<State> state = state_;
  boost::asio::any_io_executor executor = co_await boost::asio::this_coro::executor;
  // The handler is parked and the timer armed under the lock, so a wake() on another thread
  // either sees neither (and we return at once) or both.
  auto initiate = [state, timeout, executor](WakeHandler handler) {
    std::unique_lock lock(state->mu);
    if (state->woken) {
      lock.unlock();
      resume(executor, std::move(handler));
      return;
    }
    state->handler.swap(handler);
    state->executor = executor;
    state->timer.emplace(executor, timeout);
    state->timer->async_wait([state](const boost::system::error_code&) {
      WakeHandler expired;
      {
        std::lock_guard inner(state->mu);
        if (state->woken) return;  // the wake already resumed the coroutine
        expired.swap(state->handler);
      }
      resume(state->executor, std::move(expired));
    });
  };
  co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
      std::move(initiate), boost::asio::use_awaitable);
  std::lock_guard lock(state->mu);
  co_return state->woken;
}

Task<bool> Waiter::wait_for(std::chrono::milliseconds timeout,
                            std::shared_ptr<CancelToken> cancel) {
  if (!cancel) co_return co_await wait_for(timeout);
  const CancelToken::SubscriptionId id = cancel->subscribe([state = state_] { wake(state); });
  const bool woken = co_await wait_for(timeout);
  cancel->unsubscribe(id);
  co_return woken;
}

}  // namespace osprey::net
