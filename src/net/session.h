#pragma once
// Session: one accepted connection, served by one coroutine on its own strand. Reads requests
// one at a time (so pipelined requests are answered in order), enforces the size limits and
// timeouts, dispatches to the router and writes the response or SSE stream.
// run() and everything it calls execute on the session's strand; post_wake() and post_close()
// may be called from any thread.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "net/lazy_timer.h"
#include "net/request.h"
#include "net/response.h"
#include "net/server.h"
#include "net/socket_deadline.h"

namespace osprey::net {

class ServerState;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerState& state, boost::asio::ip::tcp::socket socket);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Task<void> run();
  boost::asio::ip::tcp::socket::executor_type executor() { return socket_.get_executor(); }

  // Wakes a producer sleeping in EventStream::sleep (used when the server starts draining).
  void post_wake();
  // Closes the connection now, aborting whatever it is doing.
  void post_close();

 private:
  // What the server reports about one request.
  struct Exchange {
    std::string method;
    std::string_view route = "malformed";  // a router pattern or a literal
    std::string target;
    std::string request_id;
    std::chrono::steady_clock::time_point first_byte;
    int status = 0;
    std::optional<ErrorCode> error;
    std::size_t bytes_in = 0;
    std::size_t bytes_out = 0;
    bool begun = false;
    bool ended = false;
    // Every Content-Encoding value, joined; only the general path sees one (plain_message.h).
    std::string content_coding;
  };

  // Serves one request; returns whether the connection stays open for the next one.
  Task<bool> serve_one();
  Task<bool> wait_for_first_byte();
  // Reads the next request into `req` when it is plain and already buffered (plain_message.h);
  // false leaves everything as it was, for read_general.
  bool read_plain(Exchange& ex, Request& req, unsigned& version, bool& keep_alive);
  // Reads the next request with Beast's parser, answering malformed, oversized and slow ones;
  // false: the connection is done (any answer was sent).
  Task<bool> read_general(Exchange& ex, Request& req, unsigned& version, bool& keep_alive);
  // Reads until buffer_ holds a whole request head (through the empty line) and returns its
  // size, so the raw head can be checked before Beast parses it; 0 with `ec` set if the peer
  // left, the deadline passed, or the head would exceed max_header_bytes (header_limit).
  Task<std::size_t> read_head(boost::system::error_code& ec);
  Task<Response> dispatch(Request& request, Exchange& ex);
  // Runs the handler while watching the socket: EOF or an error from the client before the
  // handler returns fires request.cancel.
  Task<Response> call_handler(const Handler& handler, Request& request);
  // Started by watch_timer_ once a handler has run for a while: waits (a plain completion
  // handler) for the socket to become readable while the call is running; EOF or an error
  // fires watch_cancel_.
  void watch_disconnect();
  Task<bool> send(Exchange& ex, Response response, unsigned version, bool head_only,
                  bool keep_alive);
  Task<bool> send_stream(Exchange& ex, Response response, unsigned version, bool head_only,
                         bool keep_alive, const std::shared_ptr<CancelToken>& cancel);
  // Answers an error the server raised itself, then closes (lingering if input may follow).
  Task<void> fail(Exchange& ex, ErrorCode code, std::string message, unsigned version,
                  bool input_pending);
  Task<bool> send_continue();

  void begin(Exchange& ex);
  void end(Exchange& ex);
  void close_now();

  ServerState& state_;
  boost::asio::ip::tcp::socket socket_;
  SocketDeadline deadline_;
  boost::asio::steady_timer wake_timer_;
  boost::beast::flat_buffer buffer_;
  std::string head_;  // the response head being written; its capacity is kept across requests
  std::string remote_addr_;
  std::optional<Exchange> current_;  // the request being served, for clean-up on exceptions
  bool closed_ = false;
  LazyTimer watch_timer_;  // starts the disconnect watch (kWatchDelay)
  // The running handler call's token while it may be watched; null otherwise (or once fired).
  std::shared_ptr<CancelToken> watch_cancel_;
  char peek_byte_ = 0;          // where the disconnect watch's peeking receive puts its byte
  bool peek_pending_ = false;   // the watch's receive is queued on the socket
  std::uint64_t watch_id_ = 0;  // which watch is current; older completions are stale
};

}  // namespace osprey::net
