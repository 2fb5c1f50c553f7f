#pragma once
// EventStream: the writer side of a Server-Sent Events response. Owned by the server for the
// life of one streaming response; used only from the handler's coroutine.
#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "net/task.h"

namespace osprey::net {

class EventStream {
 public:
  virtual ~EventStream() = default;

  // Sends one event ("event: <event>" is omitted when empty; multi-line data is split into
  // several "data:" lines). Returns false once the client is gone or a write failed; the
  // producer should then return.
  virtual Task<bool> send(std::string_view data, std::string_view event = {},
                          std::string_view id = {}) = 0;
  // Sends unnamed events, in order, in one write: events that are ready together then cost one
  // system call (and one TCP segment) instead of one each. Same result as send() for each.
  virtual Task<bool> send_all(std::span<const std::string> data) = 0;
  // send_all() for the stream's last events: the producer writes nothing after them (a later
  // write returns false), so the end of the response can leave in the same write.
  virtual Task<bool> send_last(std::span<const std::string> data) = 0;
  // Sends an SSE comment line (": text"), e.g. as a keep-alive.
  virtual Task<bool> comment(std::string_view text) = 0;
  // True once the server is draining: the producer should finish promptly. After the producer
  // returns, the server itself sends a final `event: shutdown` to the client.
  virtual bool closing() const = 0;
  // Sleeps for `d`, returning early (false) when the server starts draining or the client
  // disconnects.
  virtual Task<bool> sleep(std::chrono::milliseconds d) = 0;
};

}  // namespace osprey::net
