#pragma once
// Server: the HTTP/1.1 server (Boost.Beast + Asio coroutines, one coroutine per connection).
// Owns the I/O threads. Enforces header/body size limits and header/body/idle timeouts, answers
// protocol errors itself with the JSON error shape, and drains gracefully.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/result.h"
#include "net/router.h"
#include "net/task.h"

namespace osprey::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks an ephemeral port (see Server::port())
  int io_threads = 2;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // first byte to end of headers
  std::chrono::milliseconds body_timeout{30'000};    // end of headers to end of body
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};   // one write to the client
  std::chrono::milliseconds drain_timeout{30'000};   // graceful shutdown deadline
  std::size_t max_connections = 10'000;
};

// What the server reports once per finished request (also for errors it raised itself),
// for access logs and metrics. Called on an I/O thread: keep it cheap and non-blocking.
struct RequestRecord {
  std::string_view method;
  // Pattern, or "unmatched" (404/405), "malformed" (400/408/413/431 raised while reading), or
  // "rejected" (503 at accept time, over max_connections; method and target are then empty).
  std::string_view route;
  std::string_view target;
  std::string_view request_id;
  std::string_view remote_addr;
  int status = 0;
  std::optional<ErrorCode> error;  // set when the response was an error the server raised
  std::chrono::nanoseconds latency{};
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
};

struct ServerHooks {
  std::function<void(const RequestRecord&)> on_request_end;
  std::function<void(int delta)> on_in_flight;  // +1 when a request starts, -1 when it ends
  // Called for connection-level events worth a log line (accept errors, forced closes).
  std::function<void(std::string_view what, std::string_view detail)> on_event;
};

class Server {
 public:
  Server(ServerOptions options, Router router, ServerHooks hooks);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Fails with a clear message if the address is taken or invalid.
  Status listen();
  // The bound port (after listen()).
  std::uint16_t port() const;

  // Calls `fn(signo)` on an I/O thread for each SIGINT, SIGTERM or SIGHUP received.
  // REQUIRES: called before run().
  void on_signal(std::function<void(int signo)> fn);

  // Runs `task()` as a background coroutine on the server's io_context (e.g. health checks).
  // It starts when run() does (at once if already running) and must end on its own when asked
  // (it is not cancelled by drain(); a frame still suspended when run() returns is destroyed
  // with the server). Exceptions it throws are reported through ServerHooks::on_event.
  // Callable from any thread.
  void spawn(std::function<Task<void>()> task);

  // Runs the I/O threads; returns once the server has stopped (after drain() or stop()).
  void run();

  // Graceful shutdown, callable from any thread: closes the listener at once (new connections
  // are refused), answers requests on open connections with `Connection: close`, lets in-flight
  // requests and SSE streams finish up to drain_timeout, then closes everything and returns
  // from run(). `draining()` is true from the first call.
  void drain();
  bool draining() const;
  // Immediate stop: closes every connection now.
  void stop();

  // Requests being handled right now.
  std::size_t in_flight() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace osprey::net
