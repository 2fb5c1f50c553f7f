#pragma once
// ServerState: everything one Server shares between its acceptor and its connections — options,
// routes, hooks, the io_context, the connection registry, counters and the drain state machine.
// Thread-safe: counters and flags are atomics, the registry is guarded by sessions_mu_, and the
// acceptor and signal set are touched only on control_strand_.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "net/server.h"

namespace osprey::net {

class Session;

class ServerState {
 public:
  ServerState(ServerOptions options, Router router, ServerHooks hooks);
  ~ServerState();

  const ServerOptions options;
  const Router router;
  const ServerHooks hooks;

  // Hook wrappers: each checks for an empty std::function first.
  void event(std::string_view what, std::string_view detail) const;
  void report(const RequestRecord& record) const;
  void begin_request();
  void end_request();

  bool draining() const { return draining_.load(); }
  bool finished() const { return finished_.load(); }
  std::size_t in_flight() const { return in_flight_.load(); }

  // Connection slots, so the acceptor can answer 503 beyond max_connections.
  bool try_reserve_connection();
  void release_connection();

  // Returns false when the server is already closing everything; the caller then closes.
  bool add_session(const std::shared_ptr<Session>& session);
  void remove_session(const Session* session);

  void drain();
  void stop();

  boost::asio::io_context& io() { return ioc_; }
  boost::asio::strand<boost::asio::io_context::executor_type>& control_strand() {
    return control_strand_;
  }

 private:
  // Closes every connection and stops the io_context once they are gone (bounded).
  void finish();
  void for_each_session(const std::function<void(Session&)>& fn);

  std::atomic<bool> draining_{false};
  std::atomic<bool> finished_{false};
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> connections_{0};
  std::mutex sessions_mu_;  // guards sessions_
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;

  // Declared after everything the connection coroutines use, so that destroying the io_context
  // (which destroys suspended coroutine frames) happens while that state is still alive.
  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> control_strand_;

 public:
  // Set by Server::listen / on_signal before run(); used only on control_strand_ afterwards.
  // Declared after ioc_ so they are destroyed before it.
  std::optional<boost::asio::ip::tcp::acceptor> acceptor;
  std::optional<boost::asio::signal_set> signals;
};

}  // namespace osprey::net
