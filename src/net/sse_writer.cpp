#include "net/sse_writer.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>

#include <utility>

#include "net/server_state.h"

namespace osprey::net {
namespace asio = boost::asio;
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
  if (std::exchange(ended_, true)) co_return false;
  // While draining, finish() still owes the client its shutdown event before the end.
  co_return co_await write_chunk(format_sse_events(data), chunked_ && !closing());
}

Task<bool> SseWriter::comment(std::string_view text) {
  std::string payload;
  append_field(payload, "", text);  // ": text\n"
  payload.push_back('\n');
  co_return co_await write(std::move(payload));
}

namespace {

// Appends a buffer sequence's buffers (a Beast chunk is several) to `out`.
template <class Out, class Buffers>
void append_buffers(Out& out, const Buffers& buffers) {
  for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
       ++it) {
    out.emplace_back(*it);
  }
}

}  // namespace

void SseWriter::prefix_next_write(std::string_view bytes) { prefix_ = bytes; }

Task<bool> SseWriter::write_out(WriteBuffers buffers) {
  if (!prefix_.empty()) {
    buffers.insert(buffers.begin(), asio::buffer(prefix_));
    prefix_ = {};
  }
  boost::system::error_code ec;
  deadline_.arm(state_.options.write_timeout);
  bytes_written_ +=
      co_await asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, ec));
  deadline_.disarm();
  if (ec) gone_ = true;
  co_return !gone_;
}

Task<bool> SseWriter::flush_prefix() {
  if (gone_ || prefix_.empty()) co_return !gone_;
  co_return co_await write_out({});
}

Task<bool> SseWriter::write(std::string payload) {
  if (ended_) co_return false;
  co_return co_await write_chunk(std::move(payload), false);
}

Task<bool> SseWriter::write_chunk(std::string payload, bool end_response) {
  if (gone_) co_return false;
  WriteBuffers out;
  if (!chunked_) {
    out.push_back(asio::buffer(payload));
    co_return co_await write_out(std::move(out));
  }
  const auto chunk = http::make_chunk(asio::buffer(payload));  // alive until written
  const auto last = http::make_chunk_last();
  append_buffers(out, chunk);
  if (end_response) append_buffers(out, last);
  const bool sent = co_await write_out(std::move(out));
  last_chunk_sent_ = end_response && sent;
  co_return sent;
}

Task<bool> SseWriter::sleep(std::chrono::milliseconds d) {
  using namespace asio::experimental::awaitable_operators;
  const auto until = std::chrono::steady_clock::now() + d;
  // The status and headers do not wait with the producer.
  if (!co_await flush_prefix()) co_return false;
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
  if (closing()) {
    std::string payload = format_sse_event(R"({"reason":"server_draining"})", "shutdown", {});
    if (!co_await write_chunk(std::move(payload), false)) co_return;
  }
  if (!chunked_) {
    co_await flush_prefix();
    co_return;
  }
  WriteBuffers out;
  const auto last = http::make_chunk_last();
  append_buffers(out, last);
  co_await write_out(std::move(out));
}

}  // namespace osprey::net
