#include "net/client_exchange.h"

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <charconv>
#include <cstring>
#include <iterator>
#include <limits>
#include <utility>

#include "net/client_error.h"
#include "net/direct_write.h"
#include "net/http_token.h"
#include "net/plain_message.h"

namespace osprey::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

// Closes the connection when the CancelToken fires. The token may fire on any thread, so the
// close is posted to the connection's executor, where `armed` is also cleared before the
// connection goes back to the pool (so a late cancel never closes a reused connection).
struct ClientExchange::CancelHook {
  bool armed = true;
  std::weak_ptr<ClientConnection> connection;
};

namespace {

// No CR, LF or NUL: the value cannot end its line early or smuggle in another field.
bool is_field_value(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= '\r' && (u == '\r' || u == '\n' || u == '\0')) return false;
  }
  return true;
}

// The fields the client writes itself, whatever the caller put in the header list.
bool is_framing_field(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding");
}

// Copies `s` to `out`; returns the end of the copy.
char* put(char* out, std::string_view s) {
  std::memcpy(out, s.data(), s.size());
  return out + s.size();
}

// Builds the request line and header block (the body is written after it from the
// ClientRequest, no copy), or explains why the request cannot be sent. The fields are checked
// and measured first, then copied into a string of the exact size.
Result<std::string> build_request_head(const ClientRequest& request, const Endpoint& endpoint) {
  constexpr std::string_view kVersion = " HTTP/1.1\r\n";
  constexpr std::string_view kHost = "Host: ";
  constexpr std::string_view kLength = "Content-Length: ";
  constexpr std::string_view kColon = ": ";
  constexpr std::string_view kCrlf = "\r\n";
  if (!is_token(request.method)) return make_error(ErrorCode::kInvalidRequest, "bad method");
  const std::string_view target = endpoint.url.target;
  std::size_t size = request.method.size() + 1 + target.size() + kVersion.size() + kCrlf.size();
  bool has_host = false;
  for (const auto& [name, value] : request.headers.fields()) {
    if (!is_token(name) || !is_field_value(value)) {
      return make_error(ErrorCode::kInvalidRequest, "bad header field '" + std::string(name) + "'");
    }
    if (is_framing_field(name)) continue;
    has_host = has_host || iequals(name, "host");
    size += name.size() + kColon.size() + value.size() + kCrlf.size();
  }
  if (!has_host) size += kHost.size() + endpoint.host_field.size() + kCrlf.size();
  char digits[20];
  std::string_view length;
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    const auto end = std::to_chars(std::begin(digits), std::end(digits), request.body.size()).ptr;
    length = std::string_view(digits, static_cast<std::size_t>(end - digits));
    size += kLength.size() + length.size() + kCrlf.size();
  }

  std::string head(size, '\0');
  char* out = put(head.data(), request.method);
  *out++ = ' ';
  out = put(put(out, target), kVersion);
  for (const auto& [name, value] : request.headers.fields()) {
    if (is_framing_field(name)) continue;
    out = put(put(put(put(out, name), kColon), value), kCrlf);
  }
  if (!has_host) out = put(put(put(out, kHost), endpoint.host_field), kCrlf);
  if (!length.empty()) out = put(put(put(out, kLength), length), kCrlf);
  put(out, kCrlf);
  return head;
}

// The first read after a request: room for a typical answer, head and body, in one read(2).
constexpr std::size_t kFirstReadBytes = 8 * 1024;

template <typename F>
auto with_stream(ClientConnection& connection, F&& f) {
  return connection.is_tls() ? f(connection.tls()) : f(connection.plain());
}

template <typename Stream>
Task<beast::error_code> write_buffers(Stream& stream,
                                      const std::vector<asio::const_buffer>& buffers) {
  beast::error_code ec;
  co_await asio::async_write(stream, buffers, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

// One read of whatever the upstream has sent, appended to `buffer`.
template <typename Stream>
Task<beast::error_code> read_available(Stream& stream, beast::flat_buffer& buffer) {
  beast::error_code ec;
  const std::size_t n = co_await stream.async_read_some(
      buffer.prepare(kFirstReadBytes), asio::redirect_error(asio::use_awaitable, ec));
  buffer.commit(n);
  co_return ec;
}

template <typename Stream, typename Parser>
Task<beast::error_code> read_header(Stream& stream, beast::flat_buffer& buffer, Parser& parser) {
  beast::error_code ec;
  co_await http::async_read_header(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

template <typename Stream, typename Parser>
Task<beast::error_code> read_some(Stream& stream, beast::flat_buffer& buffer, Parser& parser) {
  beast::error_code ec;
  co_await http::async_read_some(stream, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

constexpr std::size_t kChunkBytes = 16 * 1024;  // most bytes one next_chunk() returns

}  // namespace

ClientExchange::ClientExchange(std::shared_ptr<const Endpoint> endpoint,
                               const ClientRequest& request)
    : endpoint_(std::move(endpoint)),
      total_deadline_(Clock::now() + request.total_timeout),
      first_byte_timeout_(request.first_byte_timeout),
      idle_read_timeout_(request.idle_read_timeout),
      cancel_(request.cancel) {}

ClientExchange::~ClientExchange() {
  disarm_cancel();
  // lease_ closes the connection unless finish() gave it back.
}

Task<Result<std::unique_ptr<ClientExchange>>> ClientExchange::start(
    const ClientRequest& request, const ExchangeSettings& settings) {
  std::shared_ptr<const Endpoint> endpoint = request.endpoint;
  if (!endpoint) {
    auto parsed = make_endpoint(request.url);
    if (!parsed) {
      co_return make_client_error(ClientErrorKind::kInvalidRequest, "?", parsed.error().message);
    }
    endpoint = std::move(*parsed);
  }
  const std::string& authority = endpoint->authority;
  auto head = build_request_head(request, *endpoint);
  if (!head) {
    co_return make_client_error(ClientErrorKind::kInvalidRequest, authority, head.error().message);
  }
  if (endpoint->url.tls() && settings.tls_context == nullptr) {
    if (settings.tls_error) co_return *settings.tls_error;
    co_return make_client_error(ClientErrorKind::kTls, authority, "TLS is not configured");
  }
  auto exchange = std::make_unique<ClientExchange>(endpoint, request);
  if (request.cancel && request.cancel->cancelled()) {
    co_return make_client_error(ClientErrorKind::kCancelled, authority, "before it started");
  }

  auto lease = co_await settings.pool->acquire(endpoint->pool_key, authority,
                                               exchange->total_deadline_, request.cancel.get());
  if (!lease) co_return lease.error();
  exchange->lease_ = std::move(*lease);

  for (int attempt = 0;; ++attempt) {
    if (!exchange->lease_.connection()) {
      const auto connect_deadline =
          std::min(exchange->total_deadline_, Clock::now() + request.connect_timeout);
      auto connection = co_await ClientConnection::open(endpoint->url, settings.tls_context,
                                                        connect_deadline, request.cancel.get());
      if (request.cancel && request.cancel->cancelled()) {
        co_return make_client_error(ClientErrorKind::kCancelled, authority, "while connecting");
      }
      if (!connection) co_return connection.error();
      exchange->lease_.set_connection(std::move(*connection));
    }
    const bool reused = exchange->lease_.reused();
    exchange->arm_cancel();
    Status sent = co_await exchange->send_request(*head, request, settings.max_header_bytes);
    if (sent) co_return std::move(exchange);
    exchange->disarm_cancel();
    const auto kind = client_error_kind(sent.error());
    const bool stale =
        reused && attempt == 0 && kind == ClientErrorKind::kCut && !exchange->got_response_bytes_;
    exchange->lease_.drop_connection();
    if (!stale) co_return sent.error();
  }
}

Task<Status> ClientExchange::send_request(const std::string& head, const ClientRequest& request,
                                          std::size_t max_header_bytes) {
  ClientConnection& connection = *lease_.connection();
  // One deadline for sending the request and reading the response headers.
  connection.deadline().arm_at(std::min(total_deadline_, Clock::now() + first_byte_timeout_));
  const std::array<asio::const_buffer, 2> wire{
      asio::buffer(head.data(), head.size()),
      asio::buffer(request.body.data(), request.body.size())};
  beast::error_code ec;
  const std::size_t sent = connection.is_tls() ? 0 : send_now(connection.plain(), wire, ec);
  if (!ec && sent < asio::buffer_size(wire)) {
    const std::vector<asio::const_buffer> rest = unsent(wire, sent);
    ec =
        co_await with_stream(connection, [&](auto& stream) { return write_buffers(stream, rest); });
  }
  if (ec) co_return classify(ec, ClientErrorKind::kTimeoutFirstByte, "sending the request");

  // The common answer arrives whole in one read and is plain (plain_message.h); anything else
  // goes on with Beast's parser from the bytes already read.
  if (request.method != "HEAD") {
    ec = co_await with_stream(
        connection, [&](auto& stream) { return read_available(stream, connection.buffer()); });
    if (ec) {
      got_response_bytes_ = connection.buffer().size() != 0;
      co_return classify(ec, ClientErrorKind::kTimeoutFirstByte,
                         "waiting for response headers after " + ms_text(first_byte_timeout_));
    }
    if (take_plain(max_header_bytes)) co_return Status{};
  }
  auto parser = std::make_unique<Parser>();
  parser->header_limit(static_cast<std::uint32_t>(max_header_bytes));
  parser->body_limit(std::numeric_limits<std::uint64_t>::max());
  if (request.method == "HEAD") parser->skip(true);
  ec = co_await with_stream(
      connection, [&](auto& stream) { return read_header(stream, connection.buffer(), *parser); });
  if (ec) {
    // Bytes of a response arrived: the request reached the upstream, so it must not be retried.
    got_response_bytes_ = parser->got_some() || connection.buffer().size() != 0;
    co_return classify(ec, ClientErrorKind::kTimeoutFirstByte,
                       "waiting for response headers after " + ms_text(first_byte_timeout_));
  }
  const auto& response = parser->get();
  status_ = static_cast<int>(response.result_int());
  headers_.reserve(static_cast<std::size_t>(std::distance(response.begin(), response.end())));
  for (const auto& field : response) headers_.add(field.name_string(), field.value());
  parser_ = std::move(parser);
  co_return Status{};
}

bool ClientExchange::take_plain(std::size_t max_header_bytes) {
  beast::flat_buffer& buffer = lease_.connection()->buffer();
  const auto data = buffer.cdata();
  const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
  const std::optional<PlainResponse> plain =
      parse_plain_response(bytes, max_header_bytes, std::numeric_limits<std::size_t>::max());
  if (!plain) return false;
  status_ = plain->status;
  headers_.reserve(plain->field_count, plain->field_bytes);
  for (std::size_t i = 0; i < plain->field_count; ++i) {
    headers_.add(plain->fields[i].first, plain->fields[i].second);
  }
  plain_body_ = std::string(plain->body);
  plain_keep_alive_ = plain->keep_alive;
  buffer.consume(plain->size);
  return true;
}

std::string ClientExchange::take_whole_body() {
  std::string body = std::exchange(plain_body_, {});
  finish();
  return body;
}

Task<Result<std::optional<std::string>>> ClientExchange::next_chunk() {
  if (failed_) co_return *failed_;
  if (done_) co_return std::optional<std::string>{};
  if (!parser_) {  // plain: the whole body came with the head; hand it out, then end as Beast's
    if (!plain_body_.empty()) co_return std::optional<std::string>(std::exchange(plain_body_, {}));
    finish();
    co_return std::optional<std::string>{};
  }
  ClientConnection& connection = *lease_.connection();
  for (;;) {
    if (parser_->is_done()) {
      finish();
      co_return std::optional<std::string>{};
    }
    connection.deadline().arm_at(std::min(total_deadline_, Clock::now() + idle_read_timeout_));
    // A known length is read into the string handed out (no copy, no 16 KiB buffer per
    // request); streams use the scratch buffer.
    std::string direct;
    char* target = nullptr;
    std::size_t capacity = kChunkBytes;
    if (const auto left = parser_->content_length_remaining(); left && *left > 0) {
      capacity = static_cast<std::size_t>(std::min<std::uint64_t>(*left, kChunkBytes));
      direct.resize(capacity);
      target = direct.data();
    } else {
      target = scratch();
    }
    auto& body = parser_->get().body();
    body.data = target;
    body.size = capacity;
    beast::error_code ec = co_await with_stream(
        connection, [&](auto& stream) { return read_some(stream, connection.buffer(), *parser_); });
    if (ec == http::error::need_buffer) ec = {};
    const std::size_t n = capacity - parser_->get().body().size;
    if (ec) {
      fail_body(classify(ec, ClientErrorKind::kTimeoutIdle,
                         "no body data for " + ms_text(idle_read_timeout_)));
      co_return *failed_;
    }
    if (n > 0 && target == direct.data()) {
      direct.resize(n);
      co_return std::optional<std::string>(std::move(direct));
    }
    if (n > 0) co_return std::optional<std::string>(std::string(target, n));
  }
}

std::optional<std::string> ClientExchange::next_buffered_chunk() {
  if (failed_ || done_ || !parser_ || parser_->is_done()) return std::nullopt;
  ClientConnection& connection = *lease_.connection();
  beast::flat_buffer& buffer = connection.buffer();
  if (buffer.size() == 0) return std::nullopt;
  auto& body = parser_->get().body();
  body.data = scratch();
  body.size = kChunkBytes;
  beast::error_code ec;
  // A chunk's size line and its data are two steps of the parser.
  while (!parser_->is_done() && body.size == kChunkBytes) {
    const std::size_t used = parser_->put(buffer.data(), ec);
    buffer.consume(used);
    if (ec || used == 0) break;
  }
  if (ec == http::error::need_more || ec == http::error::need_buffer) ec = {};
  if (ec) {
    fail_body(classify(ec, ClientErrorKind::kMalformed, "reading the body"));
    return std::nullopt;
  }
  const std::size_t n = kChunkBytes - body.size;
  if (n == 0) return std::nullopt;
  return std::string(scratch_.get(), n);
}

bool ClientExchange::body_end_buffered() const {
  if (failed_) return false;
  if (done_) return true;
  return parser_ ? parser_->is_done() : plain_body_.empty();  // a plain body came with the head
}

void ClientExchange::fail_body(Error error) {
  failed_ = std::move(error);
  disarm_cancel();
  lease_.drop_connection();
}

char* ClientExchange::scratch() {
  // Not zeroed (make_unique would clear 16 KiB per stream): bytes are read into it first.
  if (!scratch_) scratch_ = std::make_unique_for_overwrite<char[]>(kChunkBytes);
  return scratch_.get();
}

void ClientExchange::finish() {
  done_ = true;
  disarm_cancel();
  ClientConnection& connection = *lease_.connection();
  connection.deadline().release();  // an idle pooled connection holds no timer wait
  const bool keep_alive = parser_ ? parser_->keep_alive() : plain_keep_alive_;
  if (keep_alive && connection.buffer().size() == 0) {
    lease_.give_back();
  } else {
    lease_.drop_connection();
  }
}

void ClientExchange::arm_cancel() {
  if (!cancel_) return;
  hook_ = std::make_shared<CancelHook>();
  hook_->connection = lease_.connection();
  std::weak_ptr<CancelHook> weak = hook_;
  auto executor = lease_.connection()->executor();
  subscription_ = cancel_->subscribe([weak, executor] {
    asio::post(executor, [weak] {
      auto hook = weak.lock();
      if (!hook || !hook->armed) return;
      if (auto connection = hook->connection.lock()) connection->close();
    });
  });
}

void ClientExchange::disarm_cancel() {
  if (!cancel_ || !hook_) return;
  cancel_->unsubscribe(subscription_);
  hook_->armed = false;
  hook_.reset();
}

Error ClientExchange::classify(const boost::system::error_code& ec, ClientErrorKind timeout_kind,
                               std::string_view what) const {
  const std::string& authority = endpoint_->authority;
  if (cancel_ && cancel_->cancelled()) {
    return make_client_error(ClientErrorKind::kCancelled, authority, std::string(what));
  }
  const auto& connection = lease_.connection();
  if (connection && connection->deadline().expired()) {
    if (Clock::now() >= total_deadline_) {
      return make_client_error(ClientErrorKind::kTimeoutTotal, authority, std::string(what));
    }
    return make_client_error(timeout_kind, authority, std::string(what));
  }
  if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return make_client_error(ClientErrorKind::kMalformed, authority, ec.message());
  }
  return make_client_error(ClientErrorKind::kCut, authority,
                           std::string(what) + ": " + ec.message());
}

}  // namespace osprey::net
