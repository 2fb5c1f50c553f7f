#include "net/server_state.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "net/session.h"

namespace osprey::net {
namespace asio = boost::asio;

namespace {

// How long finish() waits for connection coroutines to unwind before stopping the io_context.
constexpr std::chrono::milliseconds kUnwindLimit{250};
constexpr std::chrono::milliseconds kUnwindPoll{5};

}  // namespace

ServerState::ServerState(ServerOptions opts, Router routes, ServerHooks server_hooks)
    : options(std::move(opts)),
      router(std::move(routes)),
      hooks(std::move(server_hooks)),
      // One I/O thread: tell Asio, so completions queue on that thread without the scheduler's
      // lock and no other thread is signalled (others may still post; that stays locked).
      ioc_(options.io_threads == 1 ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT),
      control_strand_(asio::make_strand(ioc_)) {}

ServerState::~ServerState() = default;

void ServerState::event(std::string_view what, std::string_view detail) const {
  if (hooks.on_event) hooks.on_event(what, detail);
}

void ServerState::report(const RequestRecord& record) const {
  if (hooks.on_request_end) hooks.on_request_end(record);
}

void ServerState::begin_request() {
  in_flight_.fetch_add(1);
  if (hooks.on_in_flight) hooks.on_in_flight(+1);
}

void ServerState::end_request() {
  const std::size_t before = in_flight_.fetch_sub(1);
  if (hooks.on_in_flight) hooks.on_in_flight(-1);
  if (before == 1 && draining_.load()) finish();
}

bool ServerState::try_reserve_connection() {
  std::size_t current = connections_.load();
  while (current < options.max_connections) {
    if (connections_.compare_exchange_weak(current, current + 1)) return true;
  }
  return false;
}

void ServerState::release_connection() { connections_.fetch_sub(1); }

bool ServerState::add_session(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mu_);
  if (finished_.load()) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void ServerState::remove_session(const Session* session) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(session);
}

void ServerState::for_each_session(const std::function<void(Session&)>& fn) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu_);
    live.reserve(sessions_.size());
    for (auto& [key, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) fn(*s);
}

void ServerState::drain() {
  if (draining_.exchange(true)) return;
  event("drain", "closing the listener; waiting for in-flight requests");
  asio::post(control_strand_, [this] {
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
  });
  // Wake SSE producers sleeping in EventStream::sleep so they see closing().
  for_each_session([](Session& s) { s.post_wake(); });
  if (in_flight_.load() == 0) {
    finish();
    return;
  }
  asio::co_spawn(
      ioc_,
      [this]() -> Task<void> {
        asio::steady_timer timer(ioc_);
        timer.expires_after(options.drain_timeout);
        co_await timer.async_wait(asio::use_awaitable);
        if (!finished_.load()) {
          event("drain_timeout", std::to_string(in_flight_.load()) + " requests still in flight");
        }
        finish();
      },
      asio::detached);
}

void ServerState::stop() {
  draining_.store(true);
  finish();
}

void ServerState::finish() {
  {
    std::lock_guard lock(sessions_mu_);
    if (finished_.exchange(true)) return;
  }
  asio::post(control_strand_, [this] {
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
    if (signals) signals->cancel(ignored);
  });
  for_each_session([](Session& s) { s.post_close(); });
  // Let the connection coroutines unwind (so sockets close now, not at destruction), but never
  // wait on a handler that ignores cancellation: stop the io_context after a bounded time.
  asio::co_spawn(
      ioc_,
      [this]() -> Task<void> {
        asio::steady_timer timer(ioc_);
        const auto give_up = std::chrono::steady_clock::now() + kUnwindLimit;
        while (connections_.load() > 0 && std::chrono::steady_clock::now() < give_up) {
          timer.expires_after(kUnwindPoll);
          co_await timer.async_wait(asio::use_awaitable);
        }
        ioc_.stop();
      },
      asio::detached);
}

}  // namespace osprey::net
