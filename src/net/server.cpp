#include "net/server.h"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <exception>
#include <thread>
#include <vector>

#include "core/thread_role.h"
#include "net/lingering_close.h"
#include "net/request_id.h"
#include "net/server_state.h"
#include "net/session.h"
#include "net/wire_response.h"

namespace osprey::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Reports an exception that escaped a top-level coroutine (a bug: they all catch their own).
auto report_escape(ServerState& state, std::string what) {
  return [&state, what = std::move(what)](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      state.event(what, ex.what());
    } catch (...) {
      state.event(what, "non-standard exception");
    }
  };
}

// Beyond max_connections: answer 503 without reading the request, then close politely.
Task<void> reject_overloaded(ServerState& state, tcp::socket socket) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = generate_request_id();
  const Error error{ErrorCode::kUnavailable, "too many connections; retry later"};
  Response response = Response::error(error, request_id);
  response.headers.set("Retry-After", "1");
  std::string head;
  append_response_head(response, 11, false, request_id, response.body.size(), head);
  const std::array<asio::const_buffer, 2> wire{asio::buffer(head), asio::buffer(response.body)};
  SocketDeadline deadline(socket);
  boost::system::error_code ec;
  deadline.arm(state.options.write_timeout);
  const std::size_t written =
      co_await asio::async_write(socket, wire, asio::redirect_error(asio::use_awaitable, ec));
  deadline.disarm();
  state.begin_request();
  RequestRecord record;
  record.route = "rejected";
  record.status = 503;
  record.error = ErrorCode::kUnavailable;
  record.request_id = request_id;
  record.latency = std::chrono::steady_clock::now() - started;
  record.bytes_out = written;
  state.end_request();
  state.report(record);
  if (!ec) co_await lingering_close(socket, deadline);
  socket.close(ec);
}

void start_connection(ServerState& state, tcp::socket socket) {
  if (!state.try_reserve_connection()) {
    state.event("connection_rejected", "max_connections reached");
    const auto ex = socket.get_executor();
    asio::co_spawn(ex, reject_overloaded(state, std::move(socket)),
                   report_escape(state, "reject_error"));
    return;
  }
  auto session = std::make_shared<Session>(state, std::move(socket));
  if (!state.add_session(session)) {
    state.release_connection();
    return;  // shutting down: the socket closes with the session
  }
  asio::co_spawn(session->executor(), session->run(), [&state, session](std::exception_ptr e) {
    report_escape(state, "session_error")(e);
    state.remove_session(session.get());
    state.release_connection();
  });
}

Task<void> accept_loop(ServerState& state) {
  tcp::acceptor& acceptor = *state.acceptor;
  asio::steady_timer backoff(state.control_strand());
  while (acceptor.is_open()) {
    // A strand per connection only when several threads run the io_context: with one thread
    // everything is serialized already, and the strand would cost a queue hop per completion.
    tcp::socket socket = state.options.io_threads > 1 ? tcp::socket(asio::make_strand(state.io()))
                                                      : tcp::socket(state.io().get_executor());
    boost::system::error_code ec;
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
      // E.g. EMFILE: pause instead of spinning on an error that will repeat at once.
      state.event("accept_error", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    // SSE events are small writes of their own: with Nagle's algorithm each would wait for the
    // client's ACK of the one before, up to its 40 ms delayed-ACK timer. Best effort.
    socket.set_option(tcp::no_delay(true), ec);
    start_connection(state, std::move(socket));
  }
}

Task<void> signal_loop(ServerState& state, std::function<void(int)> fn) {
  while (state.signals) {
    boost::system::error_code ec;
    const int signo =
        co_await state.signals->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // cancelled by shutdown
    try {
      fn(signo);
    } catch (const std::exception& e) {
      state.event("signal_handler_error", e.what());
    }
  }
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, Router router, ServerHooks hooks)
      : state(std::move(options), std::move(router), std::move(hooks)) {}
  ServerState state;
  std::uint16_t port = 0;
  std::function<void(int)> on_signal;
};

Server::Server(ServerOptions options, Router router, ServerHooks hooks)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(router), std::move(hooks))) {}

Server::~Server() = default;

Status Server::listen() {
  ServerState& s = impl_->state;
  const ServerOptions& opt = s.options;
  const std::string where = opt.host + ":" + std::to_string(opt.port);
  boost::system::error_code ec;
  tcp::resolver resolver(s.io());
  const auto endpoints =
      resolver.resolve(opt.host, std::to_string(opt.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return make_error(ErrorCode::kConfigInvalid,
                      "server.host: cannot resolve '" + opt.host + "': " + ec.message());
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  tcp::acceptor acceptor(s.control_strand());
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::kUnavailable, "cannot listen on " + where + ": " + ec.message());
  }
  impl_->port = acceptor.local_endpoint(ec).port();
  s.acceptor.emplace(std::move(acceptor));
  return {};
}

std::uint16_t Server::port() const { return impl_->port; }

void Server::on_signal(std::function<void(int signo)> fn) {
  ServerState& s = impl_->state;
  if (!s.signals) s.signals.emplace(s.control_strand(), SIGINT, SIGTERM, SIGHUP);
  impl_->on_signal = std::move(fn);
}

void Server::run() {
  ServerState& s = impl_->state;
  if (!s.acceptor) {
    s.event("run_error", "run() called without a successful listen()");
    return;
  }
  asio::co_spawn(s.control_strand(), accept_loop(s), report_escape(s, "accept_loop_error"));
  if (s.signals && impl_->on_signal) {
    asio::co_spawn(s.control_strand(), signal_loop(s, impl_->on_signal),
                   report_escape(s, "signal_loop_error"));
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < s.options.io_threads; ++i)
    threads.emplace_back([&s] {
      set_current_thread_role("osprey-io", ThreadPriority::kLatency);
      s.io().run();
    });
  set_current_thread_role(nullptr, ThreadPriority::kLatency);  // this thread serves requests too
  s.io().run();
  for (auto& t : threads) t.join();
}

void Server::spawn(std::function<Task<void>()> task) {
  ServerState& s = impl_->state;
  // A strand of its own, so the task's completions never run concurrently with each other.
  asio::co_spawn(asio::make_strand(s.io()), std::move(task), report_escape(s, "background_error"));
}

void Server::drain() { impl_->state.drain(); }
bool Server::draining() const { return impl_->state.draining(); }
void Server::stop() { impl_->state.stop(); }
std::size_t Server::in_flight() const { return impl_->state.in_flight(); }

}  // namespace osprey::net
