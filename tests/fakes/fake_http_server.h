#pragma once
// FakeHttpServer: a deliberately small HTTP/1.1 server (Boost.Beast + Asio coroutines) for the
// fake vendor upstreams. Unlike osprey_net's Server it hands the handler the raw wire: any
// Content-Type, chunked bodies of any framing (SSE, NDJSON, AWS event stream), an abrupt close
// mid-response, and waiting for the client to go away. It is also independent of the code under
// test, so a framing bug in osprey_net cannot be masked by the same bug on the fake's side.
// Thread-safety: start()/stop() from one owning thread; the handler runs on I/O threads
// concurrently and must synchronize its own state.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fakes/recorded_request.h"

namespace osprey::fakes {

template <typename T = void>
using Task = boost::asio::awaitable<T>;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One request/response exchange on a connection. Used only from the handler's coroutine.
class FakeExchange {
 public:
  virtual ~FakeExchange() = default;
  // A complete response with Content-Length.
  virtual Task<bool> respond(int status, const HeaderList& headers, std::string body) = 0;
  // Starts a chunked response; then write_chunk() any number of times and finish().
  virtual Task<bool> begin_chunked(int status, const HeaderList& headers) = 0;
  virtual Task<bool> write_chunk(std::string_view data) = 0;
  virtual Task<bool> finish() = 0;
  // Closes the connection at once with a TCP reset, without a terminating chunk.
  virtual void abort() = 0;
  // Waits up to `d`. Returns false early if the client disconnected meanwhile.
  virtual Task<bool> wait(std::chrono::milliseconds d) = 0;
};

using FakeHandler = std::function<Task<void>(const RecordedRequest&, FakeExchange&)>;

class FakeHttpServer {
 public:
  FakeHttpServer(FakeHandler handler, int io_threads);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  // Binds 127.0.0.1:`port` (0 = ephemeral) and starts the I/O threads. Returns an error message,
  // empty on success.
  std::string start(std::uint16_t port);
  std::uint16_t port() const;
  // Closes the listener and every connection, joins the threads. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A started server for `handler` on 127.0.0.1:`port`, or nullptr with `error` set (a second
// start, or a bind failure) — what every fake's start() does.
std::unique_ptr<FakeHttpServer> start_fake_http_server(
    const std::unique_ptr<FakeHttpServer>& current, FakeHandler handler, int io_threads,
    std::uint16_t port, std::string& error);

}  // namespace osprey::fakes
