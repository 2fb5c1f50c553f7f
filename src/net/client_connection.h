#pragma once
// ClientConnection: one TCP or TLS connection from the HTTP client to an upstream, plus the read
// buffer that must survive between responses. Private to the client. Used by one exchange at a
// time (the pool hands it out exclusively); close() may also come from a cancellation handler
// posted to the connection's executor.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>

#include "core/result.h"
#include "net/cancel_token.h"
#include "net/socket_deadline.h"
#include "net/task.h"
#include "net/url.h"

namespace osprey::net {

class ClientConnection {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using TlsStream = boost::beast::ssl_stream<Socket>;

  // Resolves, connects and (for https) runs the TLS handshake, all before `deadline`; a fired
  // `cancel` (optional) aborts any of the steps. `tls_context` is required for https and ignored
  // for http. Errors are client errors (kConnect, kTls, kTimeoutConnect, kCancelled).
  static Task<Result<std::shared_ptr<ClientConnection>>> open(
      const Url& url, boost::asio::ssl::context* tls_context,
      std::chrono::steady_clock::time_point deadline, CancelToken* cancel);

  explicit ClientConnection(Socket plain);
  explicit ClientConnection(std::unique_ptr<TlsStream> tls);

  bool is_tls() const { return tls_ != nullptr; }
  TlsStream& tls() { return *tls_; }
  Socket& plain() { return *plain_; }
  // The TCP layer, for closing.
  Socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  // Bounds the exchange's reads and writes: when it passes, they end with operation_aborted and
  // deadline().expired() says why. Lazy (see LazyTimer): re-arming it within an exchange costs
  // no timer operation; the exchange releases it before the connection goes back to the pool.
  SocketDeadline& deadline() { return *deadline_; }
  boost::asio::any_io_executor executor() { return socket().get_executor(); }
  // The io_context the socket is registered with; connections are only reused within it.
  const void* context_id() {
    return &boost::asio::query(executor(), boost::asio::execution::context);
  }

  boost::beast::flat_buffer& buffer() { return buffer_; }

  // False if the peer closed the connection, sent unexpected bytes, or the socket failed:
  // a non-blocking peek, so a pooled connection is checked before reuse without waiting.
  bool usable();
  // The socket is open and no stray bytes are buffered: checks without a system call.
  bool quiet() { return socket().is_open() && buffer_.size() == 0; }
  void close();

  std::chrono::steady_clock::time_point idle_since{};

 private:
  std::unique_ptr<Socket> plain_;
  std::unique_ptr<TlsStream> tls_;
  std::unique_ptr<SocketDeadline> deadline_;  // on socket(), whose address never changes
  boost::beast::flat_buffer buffer_;
};

}  // namespace osprey::net
