#pragma once
// SseWriter: the EventStream the server hands to an SSE producer. Writes each call's events as
// one HTTP chunk with the write timeout (the held response head in front of the first, the last
// chunk after send_last()'s), notices a vanished client (failed write, or EOF while sleeping)
// and wakes early when the server drains. Used only on the connection's strand.
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/container/static_vector.hpp>
#include <string>
#include <string_view>

#include "net/event_stream.h"
#include "net/socket_deadline.h"

namespace osprey::net {

class ServerState;

// "event: e\nid: i\ndata: line1\ndata: line2\n\n". CR and LF inside `event` and `id` are
// replaced by spaces so a value cannot inject fields.
std::string format_sse_event(std::string_view data, std::string_view event, std::string_view id);
// The same, appended to `out`.
void append_sse_event(std::string& out, std::string_view data, std::string_view event,
                      std::string_view id);

class SseWriter final : public EventStream {
 public:
  // `wake_timer` is cancelled by the session when the server drains or closes the connection.
  SseWriter(ServerState& state, boost::asio::ip::tcp::socket& socket, SocketDeadline& deadline,
            boost::asio::steady_timer& wake_timer, bool chunked);

  Task<bool> send(std::string_view data, std::string_view event = {},
                  std::string_view id = {}) override;
  Task<bool> send_all(std::span<const std::string> data) override;
  // With chunked framing, the events and the last chunk go in one write (unless the server is
  // draining: finish() still owes the client its `event: shutdown`).
  Task<bool> send_last(std::span<const std::string> data) override;
  Task<bool> comment(std::string_view text) override;
  bool closing() const override;
  Task<bool> sleep(std::chrono::milliseconds d) override;

  // `bytes` (the response head, which must outlive the writer) go in front of the next write,
  // whatever it is; sleep() and finish() send them if nothing else has.
  void prefix_next_write(std::string_view bytes);
  // Sends the pending prefix now, if any; false once the client is gone.
  Task<bool> flush_prefix();

  // Ends the stream: an `event: shutdown` first if the server is draining, then the last chunk
  // (nothing if send_last() already wrote it).
  Task<void> finish();

  bool gone() const { return gone_; }
  // True if the client sent bytes during the stream (they were discarded, so the connection
  // cannot be reused).
  bool consumed_input() const { return consumed_input_; }
  std::size_t bytes_written() const { return bytes_written_; }

 private:
  // A producer's write: refused after send_last().
  Task<bool> write(std::string payload);
  // Writes `payload` (one chunk when chunked) and, with `end_response`, the last chunk after it.
  Task<bool> write_chunk(std::string payload, bool end_response);
  // One write's pieces: the prefix, a chunk's header, payload and CRLF, the last chunk. Fixed
  // capacity, so that a write costs no heap block.
  using WriteBuffers = boost::container::static_vector<boost::asio::const_buffer, 16>;
  // Writes the pending prefix and `buffers` in one write.
  Task<bool> write_out(WriteBuffers buffers);

  ServerState& state_;
  boost::asio::ip::tcp::socket& socket_;
  SocketDeadline& deadline_;
  boost::asio::steady_timer& wake_timer_;
  const bool chunked_;
  std::string_view prefix_;  // see prefix_next_write()
  bool gone_ = false;
  bool ended_ = false;            // send_last() was called: the producer writes no more
  bool last_chunk_sent_ = false;  // the response's end went out with send_last()
  bool consumed_input_ = false;
  std::size_t bytes_written_ = 0;
  std::array<char, 512> scratch_{};
};

}  // namespace osprey::net
