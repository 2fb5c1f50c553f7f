#include "net/session.h"

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <iterator>
#include <limits>
#include <utility>

#include "net/content_coding.h"
#include "net/direct_write.h"
#include "net/lingering_close.h"
#include "net/obs_fold.h"
#include "net/percent_decode.h"
#include "net/plain_message.h"
#include "net/request_id.h"
#include "net/request_target.h"
#include "net/server_state.h"
#include "net/sse_writer.h"
#include "net/transfer_coding.h"
#include "net/wire_response.h"

namespace osprey::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// How long a handler runs before the socket is watched for the client leaving. Most answers
// (cache hits, errors, fast upstreams) come sooner, and then the watch costs nothing; a model
// call that takes seconds is still cancelled within this much of the client leaving.
constexpr auto kWatchDelay = std::chrono::milliseconds(50);

std::string endpoint_text(const tcp::socket& socket) {
  boost::system::error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const std::string addr = ep.address().to_string();
  const std::string port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + addr + "]:" + port : addr + ":" + port;
}

// Beast's own parse errors mean the bytes are not valid HTTP; anything else (EOF, reset,
// cancellation) means the peer or the server went away.
bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// Every value of the field `name`, joined with commas: several field lines form one list
// (RFC 9110 section 5.3). Empty when the field is absent.
template <typename Fields>
std::string field_list(const Fields& fields, http::field name) {
  std::string list;
  bool first = true;
  for (const auto& field : fields) {
    if (field.name() != name) continue;
    if (!first) list += ',';
    list += field.value();
    first = false;
  }
  return list;
}

// The target, and the decoded path and raw query taken from it.
void set_target(Request& req, std::string_view target) {
  req.target = std::string(target);
  const std::size_t q = target.find('?');
  req.path = percent_decode(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
}

}  // namespace

Session::Session(ServerState& state, tcp::socket socket)
    : state_(state),
      socket_(std::move(socket)),
      deadline_(socket_),
      wake_timer_(socket_.get_executor()),
      remote_addr_(endpoint_text(socket_)),
      watch_timer_(socket_.get_executor(), [this] { watch_disconnect(); }) {}

Session::~Session() = default;

void Session::post_wake() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->wake_timer_.cancel(); });
}

void Session::post_close() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->close_now(); });
}

void Session::close_now() {
  closed_ = true;
  deadline_.disarm();
  wake_timer_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

Task<void> Session::run() {
  try {
    while (!closed_ && co_await serve_one()) {
    }
  } catch (const std::exception& e) {
    state_.event("connection_error", std::string(remote_addr_) + ": " + e.what());
  }
  // A request cut short by an exception still leaves the in-flight count and gets its record.
  if (current_ && current_->begun && !current_->ended) {
    current_->error = ErrorCode::kInternal;
    if (current_->status == 0) current_->status = 500;
    end(*current_);
  }
  close_now();
}

void Session::begin(Exchange& ex) {
  ex.begun = true;
  state_.begin_request();
}

void Session::end(Exchange& ex) {
  if (ex.ended) return;
  ex.ended = true;
  if (!ex.begun) begin(ex);
  RequestRecord record;
  record.method = ex.method;
  record.route = ex.route;
  record.target = ex.target;
  record.request_id = ex.request_id;
  record.remote_addr = remote_addr_;
  record.status = ex.status;
  record.error = ex.error;
  record.latency = Clock::now() - ex.first_byte;
  record.bytes_in = ex.bytes_in;
  record.bytes_out = ex.bytes_out;
  state_.end_request();
  state_.report(record);
}

Task<bool> Session::wait_for_first_byte() {
  if (buffer_.size() > 0) co_return true;  // a pipelined request is already buffered
  boost::system::error_code ec;
  deadline_.arm(state_.options.idle_timeout);
  const std::size_t n = co_await socket_.async_read_some(
      buffer_.prepare(kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
  if (ec) co_return false;  // idle timeout or the peer left: close quietly, no response
  buffer_.commit(n);
  co_return true;
}

bool Session::read_plain(Exchange& ex, Request& req, unsigned& version, bool& keep_alive) {
  const ServerOptions& opt = state_.options;
  const auto data = buffer_.cdata();
  const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
  const std::optional<PlainRequest> plain =
      parse_plain_request(bytes, opt.max_header_bytes, opt.max_body_bytes);
  if (!plain) return false;
  version = plain->version;
  keep_alive = plain->keep_alive;
  ex.method = std::string(plain->method);
  ex.target = std::string(plain->target);
  ex.bytes_in = plain->size;
  req.method = ex.method;
  set_target(req, ex.target);
  req.headers.reserve(plain->field_count, plain->field_bytes);
  for (std::size_t i = 0; i < plain->field_count; ++i) {
    req.headers.add(plain->fields[i].first, plain->fields[i].second);
  }
  req.body = std::string(plain->body);
  buffer_.consume(plain->size);
  ex.request_id = request_id_from(req.headers.get("X-Request-Id"));
  begin(ex);
  return true;
}

Task<bool> Session::read_general(Exchange& ex, Request& req, unsigned& version, bool& keep_alive) {
  const ServerOptions& opt = state_.options;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(opt.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  // The body limit is checked by hand after the headers, so the 413 can carry the request id.
  parser.body_limit(boost::none);
  boost::system::error_code ec;
  deadline_.arm_at(ex.first_byte + opt.header_timeout);
  const std::size_t head_size = co_await read_head(ec);
  bool folded = false;
  if (!ec) {
    const auto data = buffer_.cdata();
    folded = has_obs_fold(std::string_view(static_cast<const char*>(data.data()), head_size));
  }
  // The head is buffered whole: Beast parses it without reading the socket.
  if (!ec && !folded) {
    ex.bytes_in = co_await http::async_read_header(socket_, buffer_, parser,
                                                   asio::redirect_error(asio::use_awaitable, ec));
  }
  deadline_.disarm();
  if (ec || folded) {
    ex.request_id = generate_request_id();
    if (closed_) co_return false;
    if (folded) {
      std::string message =
          "malformed HTTP request: obsolete line folding (a field line starts "
          "with a space or tab)";
      co_await fail(ex, ErrorCode::kMalformedHttp, std::move(message), 11, true);
    } else if (deadline_.expired()) {
      std::string message = "request headers not received within " + ms_text(opt.header_timeout);
      co_await fail(ex, ErrorCode::kRequestTimeout, std::move(message), 11, true);
    } else if (ec == http::error::header_limit) {
      std::string message =
          "request header block exceeds " + std::to_string(opt.max_header_bytes) + " bytes";
      co_await fail(ex, ErrorCode::kHeadersTooLarge, std::move(message), 11, true);
    } else if (is_parse_error(ec)) {
      std::string message = "malformed HTTP request: " + ec.message();
      co_await fail(ex, ErrorCode::kMalformedHttp, std::move(message), 11, true);
    }
    co_return false;  // otherwise the peer left mid-request: nobody to answer
  }

  http::request<http::string_body>& msg = parser.get();
  version = msg.version() == 10 ? 10 : 11;
  ex.method = std::string(msg.method_string());
  ex.target = std::string(msg.target());
  ex.request_id = request_id_from(msg["X-Request-Id"]);
  begin(ex);

  // Framing the server cannot read exactly must not leave the body's bytes to be read as the
  // next request: answer, then close (RFC 9112 section 6.3).
  const bool has_transfer_coding = msg.count(http::field::transfer_encoding) > 0;
  if (has_transfer_coding) {
    const std::string codings = field_list(msg, http::field::transfer_encoding);
    const TransferCoding coding = read_transfer_coding(codings);
    if (coding == TransferCoding::kUnsupported) {
      std::string message =
          "Transfer-Encoding \"" + codings + "\" is not supported: the server decodes only chunked";
      co_await fail(ex, ErrorCode::kNotImplemented, std::move(message), version, true);
      co_return false;
    }
    // Beast must agree that the body is chunked, or it would read it some other way.
    if (coding != TransferCoding::kChunked || !parser.chunked()) {
      std::string message =
          "malformed HTTP request: Transfer-Encoding \"" + codings + "\" does not end in chunked";
      co_await fail(ex, ErrorCode::kMalformedHttp, std::move(message), version, true);
      co_return false;
    }
  }
  if (!is_served_request_target(ex.method, ex.target)) {
    std::string message = "malformed HTTP request: request target \"" + ex.target +
                          "\" is not an absolute path (or * for OPTIONS)";
    co_await fail(ex, ErrorCode::kMalformedHttp, std::move(message), version, true);
    co_return false;
  }

  const auto declared = parser.content_length();
  if (declared && *declared > opt.max_body_bytes) {
    std::string message = "request body of " + std::to_string(*declared) +
                          " bytes exceeds the limit of " + std::to_string(opt.max_body_bytes) +
                          " bytes";
    co_await fail(ex, ErrorCode::kPayloadTooLarge, std::move(message), version, !parser.is_done());
    co_return false;
  }
  if (!parser.is_done()) {
    if (iequals(msg[http::field::expect], "100-continue") && !co_await send_continue()) {
      ex.status = 499;
      ex.error = ErrorCode::kClientClosed;
      end(ex);
      co_return false;
    }
    parser.body_limit(opt.max_body_bytes);
    deadline_.arm(opt.body_timeout);
    ex.bytes_in += co_await http::async_read(socket_, buffer_, parser,
                                             asio::redirect_error(asio::use_awaitable, ec));
    deadline_.disarm();
    if (ec) {
      if (!closed_ && deadline_.expired()) {
        std::string message = "request body not received within " + ms_text(opt.body_timeout);
        co_await fail(ex, ErrorCode::kRequestTimeout, std::move(message), version, true);
      } else if (!closed_ && ec == http::error::body_limit) {
        std::string message =
            "request body exceeds the limit of " + std::to_string(opt.max_body_bytes) + " bytes";
        co_await fail(ex, ErrorCode::kPayloadTooLarge, std::move(message), version, true);
      } else if (!closed_ && is_parse_error(ec)) {
        std::string message = "malformed request body: " + ec.message();
        co_await fail(ex, ErrorCode::kMalformedHttp, std::move(message), version, true);
      } else {
        ex.status = 499;
        ex.error = ErrorCode::kClientClosed;
        end(ex);
      }
      co_return false;
    }
  }

  req.method = ex.method;
  set_target(req, ex.target);
  req.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
  for (const auto& field : msg) req.headers.add(field.name_string(), field.value());
  ex.content_coding = field_list(msg, http::field::content_encoding);
  req.body = std::move(msg.body());
  // An HTTP/1.0 request with Transfer-Encoding may have been framed wrongly on its way here
  // (RFC 9112 section 6.1): it is answered, then the connection closes.
  keep_alive = msg.keep_alive() && !(has_transfer_coding && version == 10);
  co_return true;
}

Task<std::size_t> Session::read_head(boost::system::error_code& ec) {
  const std::size_t limit = state_.options.max_header_bytes;
  std::size_t searched = 0;  // where the end of the head may begin: bytes before were searched
  while (true) {
    const auto data = buffer_.cdata();
    const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    const std::size_t end = bytes.substr(0, limit).find("\r\n\r\n", searched);
    if (end != std::string_view::npos) co_return end + 4;
    if (bytes.size() >= limit) {
      ec = http::error::header_limit;
      co_return 0;
    }
    searched = bytes.size() < 3 ? 0 : bytes.size() - 3;
    const std::size_t n = co_await socket_.async_read_some(
        buffer_.prepare(kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return 0;
    buffer_.commit(n);
  }
}

Task<bool> Session::serve_one() {
  if (!co_await wait_for_first_byte()) co_return false;
  Exchange& ex = current_.emplace();
  ex.first_byte = Clock::now();
  Request req;
  unsigned version = 11;
  bool client_keep_alive = true;
  if (!read_plain(ex, req, version, client_keep_alive) &&
      !co_await read_general(ex, req, version, client_keep_alive)) {
    co_return false;
  }
  req.request_id = ex.request_id;
  req.remote_addr = remote_addr_;
  req.received_at = ex.first_byte;
  req.cancel = std::make_shared<CancelToken>();
  Response response = co_await dispatch(req, ex);
  const bool head_only = req.method == "HEAD";
  // Decided after the handler: a drain that began meanwhile still closes this connection.
  const bool keep_alive = client_keep_alive && !state_.draining() && !closed_;
  if (response.stream) {
    co_return co_await send_stream(ex, std::move(response), version, head_only, keep_alive,
                                   req.cancel);
  }
  co_return co_await send(ex, std::move(response), version, head_only, keep_alive);
}

Task<Response> Session::dispatch(Request& req, Exchange& ex) {
  const std::string_view raw_path = std::string_view(req.target).substr(0, req.target.find('?'));
  RouteMatch match = state_.router.match(req.method, raw_path);
  if (match.kind == RouteMatch::Kind::kNotFound) {
    req.route = ex.route = "unmatched";
    ex.error = ErrorCode::kNotFound;
    co_return Response::error({ErrorCode::kNotFound, "no route for " + req.method + " " + req.path},
                              req.request_id);
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    req.route = ex.route = "unmatched";
    ex.error = ErrorCode::kMethodNotAllowed;
    Response r = Response::error(
        {ErrorCode::kMethodNotAllowed, req.method + " is not allowed on " + req.path},
        req.request_id);
    r.headers.set("Allow", match.allow);
    co_return r;
  }
  req.route = ex.route = match.pattern;
  req.params = std::move(match.params);
  // No handler decodes a content coding: a gzip body would be read as if it were the JSON.
  if (!req.body.empty() && !is_identity_content_coding(ex.content_coding)) {
    ex.error = ErrorCode::kUnsupportedMediaType;
    co_return Response::error({ErrorCode::kUnsupportedMediaType,
                               "Content-Encoding \"" + ex.content_coding +
                                   "\" is not supported: send the request body uncompressed"},
                              req.request_id);
  }
  std::string failure;
  try {
    Response r = co_await call_handler(*match.handler, req);
    if (r.status >= 100 && r.status <= 999) co_return r;
    failure = "handler returned invalid status " + std::to_string(r.status);
  } catch (const std::exception& e) {
    failure = std::string("handler threw: ") + e.what();
  } catch (...) {
    failure = "handler threw a non-standard exception";
  }
  state_.event("handler_error", std::string(match.pattern) + " " + ex.request_id + ": " + failure);
  ex.error = ErrorCode::kInternal;
  co_return Response::error({ErrorCode::kInternal, "internal server error"}, req.request_id);
}

Task<Response> Session::call_handler(const Handler& handler, Request& req) {
  // Bytes already buffered are a pipelined request: the client is still there, and reading the
  // socket now would take bytes that belong to the next request.
  if (buffer_.size() == 0 && !closed_) {
    ++watch_id_;
    watch_cancel_ = req.cancel;
    watch_timer_.arm(kWatchDelay);
  }
  struct StopWatching {
    Session& session;
    ~StopWatching() {
      session.watch_timer_.disarm();
      session.watch_cancel_.reset();
      if (!std::exchange(session.peek_pending_, false)) return;
      boost::system::error_code ignored;
      session.socket_.cancel(ignored);  // ends the watcher's pending receive
    }
  } stop{*this};
  co_return co_await handler(req);
}

void Session::watch_disconnect() {
  if (!watch_cancel_ || closed_) return;
  // A peeking receive: it completes with data (a pipelined request, left in the socket for
  // serve_one), EOF or an error. `self` keeps the socket and peek_byte_ alive meanwhile.
  peek_pending_ = true;
  socket_.async_receive(
      asio::buffer(&peek_byte_, 1), tcp::socket::message_peek,
      [self = shared_from_this(), id = watch_id_](boost::system::error_code ec, std::size_t n) {
        Session& s = *self;
        if (s.watch_id_ != id || !s.watch_cancel_ || s.closed_) return;  // a finished call's
        s.peek_pending_ = false;
        if (!ec && n > 0) return;  // the next request is already on its way: the client is here
        std::exchange(s.watch_cancel_, nullptr)->cancel();
      });
}

Task<bool> Session::send(Exchange& ex, Response response, unsigned version, bool head_only,
                         bool keep_alive) {
  ex.status = response.status;
  head_.clear();
  append_response_head(response, version, keep_alive, ex.request_id, response.body.size(), head_);
  const std::array<asio::const_buffer, 2> wire{
      asio::buffer(head_), head_only ? asio::const_buffer() : asio::buffer(response.body)};
  boost::system::error_code ec;
  std::size_t sent = send_now(socket_, wire, ec);
  if (!ec && sent < asio::buffer_size(wire)) {
    const std::vector<asio::const_buffer> rest = unsent(wire, sent);
    deadline_.arm(state_.options.write_timeout);
    sent +=
        co_await asio::async_write(socket_, rest, asio::redirect_error(asio::use_awaitable, ec));
    deadline_.disarm();
  }
  ex.bytes_out += sent;
  if (ec) ex.error = ErrorCode::kClientClosed;
  end(ex);
  co_return !ec && keep_alive;
}

Task<bool> Session::send_stream(Exchange& ex, Response response, unsigned version, bool head_only,
                                bool keep_alive, const std::shared_ptr<CancelToken>& cancel) {
  ex.status = response.status;
  // HTTP/1.0 has no chunked encoding: the end of the stream is the end of the connection.
  const bool chunked = version >= 11;
  head_.clear();
  append_sse_head(response, version, keep_alive && chunked, ex.request_id, head_);
  SseWriter writer(state_, socket_, deadline_, wake_timer_, chunked);
  boost::system::error_code ec;
  if (response.head_with_first_events && !head_only) {
    writer.prefix_next_write(head_);
  } else {
    deadline_.arm(state_.options.write_timeout);
    ex.bytes_out += co_await asio::async_write(socket_, asio::buffer(head_),
                                               asio::redirect_error(asio::use_awaitable, ec));
    deadline_.disarm();
  }
  if (ec || head_only) {
    if (ec) {
      ex.error = ErrorCode::kClientClosed;
      cancel->cancel();
    }
    if (!ec && chunked) {
      ex.bytes_out += co_await asio::async_write(socket_, http::make_chunk_last(),
                                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    end(ex);
    co_return false;
  }

  bool producer_ok = true;
  try {
    co_await response.stream(writer);
  } catch (const std::exception& e) {
    producer_ok = false;
    state_.event("stream_error", std::string(ex.route) + " " + ex.request_id + ": " + e.what());
  } catch (...) {
    producer_ok = false;
    state_.event("stream_error",
                 std::string(ex.route) + " " + ex.request_id + ": non-standard exception");
  }
  // A failed producer gets no terminating chunk, so the client sees a truncated stream.
  if (producer_ok) {
    co_await writer.finish();
  } else {
    co_await writer.flush_prefix();  // the status and headers, if no event carried them
  }
  ex.bytes_out += writer.bytes_written();
  if (!producer_ok) ex.error = ErrorCode::kInternal;
  if (writer.gone()) {
    ex.error = ErrorCode::kClientClosed;
    cancel->cancel();  // also stops upstream work the producer left behind
  }
  end(ex);
  co_return producer_ok && !writer.gone() && !writer.consumed_input() && chunked && keep_alive &&
      !state_.draining();
}

Task<void> Session::fail(Exchange& ex, ErrorCode code, std::string message, unsigned version,
                         bool input_pending) {
  ex.error = code;
  // Named locals, not temporaries, inside co_await: GCC 12 can destroy such temporaries twice.
  Response response = Response::error({code, std::move(message)}, ex.request_id);
  co_await send(ex, std::move(response), version, ex.method == "HEAD", false);
  if (input_pending && !closed_) co_await lingering_close(socket_, deadline_);
}

Task<bool> Session::send_continue() {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  boost::system::error_code ec;
  deadline_.arm(state_.options.write_timeout);
  co_await asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
  co_return !ec;
}

}  // namespace osprey::net
