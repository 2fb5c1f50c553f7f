#include "net/sse_writer.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/http/chunk_encode.hpp>

#include "net/server_state.h"

namespace osprey::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  for (const char c : value) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  out.push_back('\n');
}

}  // namespace

std::string format_sse_event(std::string_view data, std::string_view event, std::string_view id) {
  std::string out;
  out.reserve(data.size() + event.size() + id.size() + 32);
  append_sse_event(out, data, event, id);
  return out;
}

void append_sse_event(std::string& out, std::string_view data, std::string_view event,
                      std::string_view id) {
  if (!event.empty()) append_field(out, "event", event);
  if (!id.empty()) append_field(out, "id", id);
  // Every line of data becomes its own "data:" field; the client joins them with '\n'.
  while (true) {
    const std::size_t nl = data.find('\n');
    std::string_view line = data.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.append("data: ");
    out.append(line);
    out.push_back('\n');
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
  }
  out.push_back('\n');
}

SseWriter::SseWriter(ServerState& state, asio::ip::tcp::socket& socket, SocketDeadline& deadline,
                     asio::steady_timer& wake_timer, bool chunked)
    : state_(state),
      socket_(socket),
      deadline_(deadline),
      wake_timer_(wake_timer),
      chunked_(chunked) {}

bool SseWriter::closing() const { return state_.draining(); }

Task<bool> SseWriter::send(std::string_view data, std::string_view event, std::string_view id) {
  std::string payload = format_sse_event(data, event, id);
  co_return co_await write(std::move(payload));
}

namespace {

// Unnamed events, one after the other.
std::string format_sse_events(std::span<const std::string> data) {
  std::size_t size = 0;
  for (const std::string& one : data) size += one.size() + 8;
  std::string payload;
  payload.reserve(size);
  for (const std::string& one : data) append_sse_event(payload, one, {}, {});
  return payload;
}

}  // namespace

Task<bool> SseWriter::send_all(std::span<const std::string> data) {
  co_return co_await write(format_sse_events(data));
}

Task<bool> SseWriter::send_last(std::span<const std::string> data) {
  std::string payload = format_sse_events(data);
  const bool sent = chunked_ && !closing() ? co_await write_ending(std::move(payload))
                                           : co_await write(std::move(payload));
  ended_ = true;
  co_return sent;
}

Task<bool> SseWriter::comment(std::string_view text) {
  std::string payload;
  append_field(payload, "", text);  // ": text\n"
  payload.push_back('\n');
  co_return co_await write(std::move(payload));
}

Task<bool> SseWriter::write(std::string payload) {
  if (gone_ || ended_) co_return false;
  boost::system::error_code ec;
  std::size_t n = 0;
  deadline_.arm(state_.options.write_timeout);
  if (chunked_) {
    n = co_await asio::async_write(socket_, http::make_chunk(asio::buffer(payload)),
                                   asio::redirect_error(asio::use_awaitable, ec));
  } else {
    n = co_await asio::async_write(socket_, asio::buffer(payload),
                                   asio::redirect_error(asio::use_awaitable, ec));
  }
  deadline_.disarm();
  bytes_written_ += n;
  if (ec) gone_ = true;
  co_return !gone_;
}

Task<bool> SseWriter::write_ending(std::string payload) {
  if (gone_ || ended_) co_return false;
  boost::system::error_code ec;
  deadline_.arm(state_.options.write_timeout);
  bytes_written_ += co_await asio::async_write(
      socket_, beast::buffers_cat(http::make_chunk(asio::buffer(payload)), http::make_chunk_last()),
      asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
  if (ec) gone_ = true;
  last_chunk_sent_ = !gone_;
  co_return !gone_;
}

Task<bool> SseWriter::sleep(std::chrono::milliseconds d) {
  using namespace asio::experimental::awaitable_operators;
  const auto until = std::chrono::steady_clock::now() + d;
  while (!gone_ && !closing()) {
    if (std::chrono::steady_clock::now() >= until) co_return true;
    wake_timer_.expires_at(until);
    // Reading while we wait is how a disconnect is noticed between events.
    auto result = co_await (
        wake_timer_.async_wait(asio::as_tuple(asio::use_awaitable)) ||
        socket_.async_read_some(asio::buffer(scratch_), asio::as_tuple(asio::use_awaitable)));
    if (result.index() == 0) {
      const auto [ec] = std::get<0>(result);
      // Cancelled without a drain means the session is closing the connection.
      if (ec && !closing()) gone_ = true;
      continue;
    }
    const auto [ec, n] = std::get<1>(result);
    if (ec) {
      gone_ = true;
    } else if (n > 0) {
      consumed_input_ = true;
    }
  }
  co_return false;
}

Task<void> SseWriter::finish() {
  if (gone_ || last_chunk_sent_) co_return;
  ended_ = false;  // the server's own closing writes follow the producer's last events
  if (closing()) {
    std::string payload = format_sse_event(R"({"reason":"server_draining"})", "shutdown", {});
    if (!co_await write(std::move(payload))) co_return;
  }
  if (!chunked_) co_return;
  boost::system::error_code ec;
  deadline_.arm(state_.options.write_timeout);
  bytes_written_ += co_await asio::async_write(socket_, http::make_chunk_last(),
                                               asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
  if (ec) gone_ = true;
}

}  // namespace osprey::net
