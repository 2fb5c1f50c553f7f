#include "net/client_connection.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cerrno>
#include <string>

#include "net/client_error.h"

namespace osprey::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

// What a cancellation must interrupt while connecting. Touched only on the connecting
// coroutine's executor: the CancelToken callback posts there.
struct ConnectCancel {
  std::shared_ptr<tcp::resolver> resolver;
  beast::tcp_stream* stream = nullptr;  // while connecting
  tcp::socket* socket = nullptr;        // during the TLS handshake
  bool fired = false;
};

// Subscribes `hook` to `cancel` for the lifetime of this object.
class ConnectCancelGuard {
 public:
  ConnectCancelGuard(CancelToken* cancel, const std::shared_ptr<ConnectCancel>& hook,
                     asio::any_io_executor ex)
      : cancel_(cancel), hook_(hook) {
    if (!cancel_) return;
    std::weak_ptr<ConnectCancel> weak = hook;
    subscription_ = cancel_->subscribe([weak, ex] {
      asio::post(ex, [weak] {
        auto h = weak.lock();
        if (!h) return;
        h->fired = true;
        if (h->resolver) h->resolver->cancel();
        if (h->stream) h->stream->close();
        if (h->socket) {
          beast::error_code ignored;
          h->socket->close(ignored);
        }
      });
    });
  }
  ~ConnectCancelGuard() {
    if (cancel_) cancel_->unsubscribe(subscription_);
    hook_->stream = nullptr;
    hook_->socket = nullptr;
    hook_->resolver.reset();
  }
  ConnectCancelGuard(const ConnectCancelGuard&) = delete;
  ConnectCancelGuard& operator=(const ConnectCancelGuard&) = delete;

 private:
  CancelToken* cancel_;
  std::shared_ptr<ConnectCancel> hook_;
  CancelToken::SubscriptionId subscription_ = CancelToken::kNoSubscription;
};

Error cancelled(const Url& url) {
  return make_client_error(ClientErrorKind::kCancelled, url.authority(), "while connecting");
}

std::string ms_text(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// Resolves `url.host`, bounded by `deadline`: the resolver has no timeout of its own, so a timer
// cancels it. Both run on this coroutine's executor.
Task<Result<tcp::resolver::results_type>> resolve(const Url& url,
                                                  std::chrono::steady_clock::time_point deadline,
                                                  ConnectCancel& hook) {
  auto ex = co_await asio::this_coro::executor;
  auto resolver = std::make_shared<tcp::resolver>(ex);
  hook.resolver = resolver;
  auto timer = std::make_shared<asio::steady_timer>(ex);
  auto timed_out = std::make_shared<bool>(false);
  timer->expires_at(deadline);
  timer->async_wait([resolver, timed_out](beast::error_code ec) {
    if (ec) return;  // cancelled: the resolve finished first
    *timed_out = true;
    resolver->cancel();
  });
  beast::error_code ec;
  auto results = co_await resolver->async_resolve(url.host, std::to_string(url.port),
                                                  asio::redirect_error(asio::use_awaitable, ec));
  timer->cancel();
  hook.resolver.reset();
  if (hook.fired) co_return cancelled(url);
  if (*timed_out) {
    co_return make_client_error(ClientErrorKind::kTimeoutConnect, url.authority(),
                                "name resolution did not finish in time");
  }
  if (ec) {
    co_return make_client_error(ClientErrorKind::kConnect, url.authority(),
                                "cannot resolve '" + url.host + "': " + ec.message());
  }
  co_return results;
}

}  // namespace

// Beast reads into the spare capacity of the buffer, at least 512 bytes: room for a typical
// response in one read(2) instead of several.
constexpr std::size_t kReadBufferBytes = 8 * 1024;

ClientConnection::ClientConnection(Socket plain)
    : plain_(std::make_unique<Socket>(std::move(plain))),
      deadline_(std::make_unique<SocketDeadline>(*plain_)) {
  buffer_.reserve(kReadBufferBytes);
}

ClientConnection::ClientConnection(std::unique_ptr<TlsStream> tls)
    : tls_(std::move(tls)), deadline_(std::make_unique<SocketDeadline>(tls_->next_layer())) {
  buffer_.reserve(kReadBufferBytes);
}

Task<Result<std::shared_ptr<ClientConnection>>> ClientConnection::open(
    const Url& url, asio::ssl::context* tls_context, std::chrono::steady_clock::time_point deadline,
    CancelToken* cancel) {
  const auto started = std::chrono::steady_clock::now();
  auto ex = co_await asio::this_coro::executor;
  auto hook = std::make_shared<ConnectCancel>();
  ConnectCancelGuard guard(cancel, hook, ex);
  auto resolved = co_await resolve(url, deadline, *hook);
  if (!resolved) co_return resolved.error();

  beast::tcp_stream stream(ex);
  hook->stream = &stream;
  stream.expires_at(deadline);
  beast::error_code ec;
  co_await stream.async_connect(*resolved, asio::redirect_error(asio::use_awaitable, ec));
  if (hook->fired) co_return cancelled(url);
  if (ec == beast::error::timeout) {
    co_return make_client_error(ClientErrorKind::kTimeoutConnect, url.authority(),
                                "no connection after " + ms_text(deadline - started));
  }
  if (ec) co_return make_client_error(ClientErrorKind::kConnect, url.authority(), ec.message());
  stream.socket().set_option(tcp::no_delay(true), ec);  // best effort: small request writes

  hook->stream = nullptr;
  stream.expires_never();
  if (!url.tls()) co_return std::make_shared<ClientConnection>(stream.release_socket());

  auto connection = std::make_shared<ClientConnection>(
      std::make_unique<TlsStream>(stream.release_socket(), *tls_context));
  TlsStream* tls = &connection->tls();
  hook->socket = &tls->next_layer();
  // SNI: virtual-hosted HTTPS endpoints pick the certificate by name. Not sent for IP literals.
  beast::error_code ip_ec;
  asio::ip::make_address(url.host, ip_ec);
  if (ip_ec && !SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str())) {
    co_return make_client_error(ClientErrorKind::kTls, url.authority(), "cannot set SNI name");
  }
  tls->set_verify_callback(asio::ssl::host_name_verification(url.host));
  connection->deadline().arm_at(deadline);
  co_await tls->async_handshake(asio::ssl::stream_base::client,
                                asio::redirect_error(asio::use_awaitable, ec));
  connection->deadline().disarm();
  if (hook->fired) co_return cancelled(url);
  if (connection->deadline().expired()) {
    co_return make_client_error(ClientErrorKind::kTimeoutConnect, url.authority(),
                                "TLS handshake not done after " + ms_text(deadline - started));
  }
  if (ec) {
    std::string detail = ec.message();
    const long verify = SSL_get_verify_result(tls->native_handle());
    if (verify != X509_V_OK) {
      detail += " (certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
    }
    co_return make_client_error(ClientErrorKind::kTls, url.authority(), detail);
  }
  hook->socket = nullptr;
  co_return connection;
}

bool ClientConnection::usable() {
  tcp::socket& socket = this->socket();
  if (!socket.is_open()) return false;
  if (buffer_.size() != 0) return false;  // bytes beyond the last response: out of sync
  // One non-blocking peek (MSG_DONTWAIT: no ioctl to switch the socket's mode first); this runs
  // on every reuse of a pooled connection.
  char byte = 0;
  ssize_t n = 0;
  do {
    n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);  // NOLINT
  } while (n < 0 && errno == EINTR);
  // EAGAIN is the healthy case: open and quiet. EOF, a reset, or any unsolicited byte
  // (including a TLS close_notify) means the upstream is done with this connection.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void ClientConnection::close() {
  beast::error_code ec;
  socket().shutdown(tcp::socket::shutdown_both, ec);
  socket().close(ec);
}

}  // namespace osprey::net
