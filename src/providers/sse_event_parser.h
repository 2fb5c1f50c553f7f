#pragma once
// SseEventParser assembles Server-Sent Events from lines (see LineSplitter): `event:` names the
// event, `data:` lines are joined with '\n', a blank line dispatches, `:` comments and other
// fields (id, retry) are ignored, as the WHATWG EventSource rules say.
// Not thread-safe: one per stream.
#include <optional>
#include <string>
#include <string_view>

namespace osprey::providers {

struct SseEvent {
  std::string event;  // empty when the stream did not name it
  std::string data;
};

class SseEventParser {
 public:
  // One line without its terminator; returns an event when the line completes one.
  std::optional<SseEvent> feed_line(std::string_view line);

 private:
  SseEvent current_;
  bool has_data_ = false;
};

}  // namespace osprey::providers
