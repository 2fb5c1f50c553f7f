#pragma once
// AnthropicStreamParser turns Messages API SSE events (message_start, content_block_start,
// content_block_delta with text_delta / input_json_delta, content_block_stop, message_delta,
// message_stop, ping, error) into StreamEvents. Content indexes are Anthropic's own block
// indexes. Thinking blocks are skipped.
// Not thread-safe: one instance per stream.
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::anthropic {

// The events of every token (content_block_delta) and the empty ones (content_block_stop, ping),
// read without a DOM into `out`. Only clean events are read (fields of the expected types, no
// repeated key); anything else returns false with `out` untouched, and the parser takes the
// nlohmann path, so the events are always what that path gives.
bool read_plain_stream_event(std::string_view event, std::string_view data,
                             std::vector<StreamEvent>& out);

class AnthropicStreamParser {
 public:
  // `event` is the SSE event name (may be empty: the data's "type" decides), `data` its payload.
  // An `error` event or an unparseable payload returns an Error; last_error() has the details.
  Result<std::vector<StreamEvent>> feed(std::string_view event, std::string_view data);
  bool done() const { return done_; }
  const std::optional<UpstreamError>& last_error() const { return last_error_; }

 private:
  Result<std::vector<StreamEvent>> fail(UpstreamError error);

  bool done_ = false;
  StopReason stop_reason_ = StopReason::kUnknown;
  std::optional<UpstreamError> last_error_;
};

}  // namespace osprey::providers::anthropic
