#pragma once
// ClientExchange: one request/response on a pooled connection, from sending the request to the
// last body byte. Owns the pool lease: a fully read keep-alive response returns the connection
// to the pool, anything else (error, early destruction) closes it. Used from one coroutine at a
// time; the CancelToken may fire from any thread.
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/result.h"
#include "net/client_pool.h"
#include "net/endpoint.h"
#include "net/headers.h"
#include "net/http_client.h"
#include "net/task.h"

namespace osprey::net {

struct ExchangeSettings {
  ClientPool* pool;
  boost::asio::ssl::context* tls_context;  // null: https requests fail with tls_error
  const Error* tls_error;                  // why tls_context is null
  std::size_t max_header_bytes;
};

class ClientExchange {
 public:
  // Sends `request` and reads the response headers. A reused connection that fails before any
  // response byte arrived (the upstream closed it while idle) is replaced once by a fresh one.
  static Task<Result<std::unique_ptr<ClientExchange>>> start(const ClientRequest& request,
                                                             const ExchangeSettings& settings);
  // Use start(); public only for make_unique.
  ClientExchange(std::shared_ptr<const Endpoint> endpoint, const ClientRequest& request);
  ~ClientExchange();
  ClientExchange(const ClientExchange&) = delete;
  ClientExchange& operator=(const ClientExchange&) = delete;

  int status() const { return status_; }
  const Headers& headers() const { return headers_; }
  // The response headers, for a caller that keeps them itself; headers() is empty afterwards.
  Headers take_headers() { return std::exchange(headers_, {}); }
  const std::string& authority() const { return endpoint_->authority; }

  // True when the whole response arrived with its head (see take_plain): the body is then
  // taken at once with take_whole_body() instead of chunk by chunk.
  bool whole() const { return parser_ == nullptr && !done_ && !failed_; }
  const std::string& whole_body() const { return plain_body_; }
  // REQUIRES: whole(). The body; the exchange is finished, as next_chunk() would end it.
  std::string take_whole_body();

  // The next decoded body bytes; nullopt at the clean end. After an error, returns it again.
  Task<Result<std::optional<std::string>>> next_chunk();
  // The next decoded body bytes if they already arrived (a later chunk of the same read), else
  // nullopt; never reads. A malformed body is kept as the error next_chunk() returns.
  std::optional<std::string> next_buffered_chunk();
  // The body's end was already parsed from buffered bytes (or the body is done).
  bool body_end_buffered() const;

 private:
  using Parser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;
  struct CancelHook;

  // Runs one attempt on lease_'s connection: write the request, read the headers.
  // `head` is the request line and header block; the body comes from `request`.
  Task<Status> send_request(const std::string& head, const ClientRequest& request,
                            std::size_t max_header_bytes);
  // Takes a plain response (plain_message.h) already in the connection's buffer: status,
  // headers and the whole body. False leaves the buffer as it was, for Beast's parser.
  bool take_plain(std::size_t max_header_bytes);
  void arm_cancel();
  void disarm_cancel();
  Error classify(const boost::system::error_code& ec, ClientErrorKind timeout_kind,
                 std::string_view what) const;
  void finish();
  // Ends the body with `error`, which next_chunk() returns from now on; the connection, in an
  // unknown state, is closed.
  void fail_body(Error error);
  char* scratch();  // scratch_, allocated on first use

  std::shared_ptr<const Endpoint> endpoint_;
  std::chrono::steady_clock::time_point total_deadline_;
  std::chrono::milliseconds first_byte_timeout_;
  std::chrono::milliseconds idle_read_timeout_;
  std::shared_ptr<CancelToken> cancel_;
  std::shared_ptr<CancelHook> hook_;
  CancelToken::SubscriptionId subscription_ = CancelToken::kNoSubscription;

  PoolLease lease_;
  std::unique_ptr<Parser> parser_;  // set once Beast read the headers; null for a plain response
  std::string plain_body_;          // a plain response's body, until next_chunk hands it out
  bool plain_keep_alive_ = false;
  bool got_response_bytes_ = false;  // a response started: the request must not be retried
  int status_ = 0;
  Headers headers_;
  bool done_ = false;
  std::optional<Error> failed_;
  // Read buffer for bodies of unknown length (streams), allocated on first use: a body with a
  // Content-Length is read straight into the string that next_chunk() returns.
  std::unique_ptr<char[]> scratch_;
};

}  // namespace osprey::net
