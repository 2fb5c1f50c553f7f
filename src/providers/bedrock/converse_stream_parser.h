#pragma once
// ConverseStreamParser turns Bedrock ConverseStream events (messageStart, contentBlockStart,
// contentBlockDelta, contentBlockStop, messageStop, metadata, and exception messages) into
// StreamEvents. Content indexes are Bedrock's contentBlockIndex.
// Not thread-safe: one instance per stream.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "providers/bedrock/event_stream_decoder.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::bedrock {

// The events of every token (contentBlockDelta, text or tool input) and of contentBlockStop,
// read without a DOM into `out`. Only clean payloads are read (fields of the expected types, no
// repeated key); anything else returns false with `out` untouched, and the parser takes the
// nlohmann path, so the events are always what that path gives.
bool read_plain_stream_event(std::string_view event_type, std::string_view payload,
                             std::vector<StreamEvent>& out);

class ConverseStreamParser {
 public:
  // `model` is reported in the MessageStartEvent (Converse streams do not echo it).
  explicit ConverseStreamParser(std::string model) : model_(std::move(model)) {}

  // A decoded frame: `:message-type` "event" (with `:event-type`) or "exception" (with
  // `:exception-type`). An exception or an unparseable payload returns an Error; last_error()
  // then holds the details.
  Result<std::vector<StreamEvent>> feed(const EventStreamMessage& message);
  // One event by name and JSON payload.
  Result<std::vector<StreamEvent>> feed_event(std::string_view event_type,
                                              std::string_view payload);
  bool done() const { return done_; }
  const std::optional<UpstreamError>& last_error() const { return last_error_; }

 private:
  Result<std::vector<StreamEvent>> fail(UpstreamError error);

  std::string model_;
  bool done_ = false;
  std::optional<UpstreamError> last_error_;
};

}  // namespace osprey::providers::bedrock
