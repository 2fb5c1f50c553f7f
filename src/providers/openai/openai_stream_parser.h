#pragma once
// OpenAiStreamParser turns the `data:` payloads of an OpenAI-compatible SSE stream into
// StreamEvents: the first chunk opens the message, text and tool-call deltas get stable content
// indexes (text first seen → its index; each tool_calls[].index → its own), finish_reason closes
// the message, a usage chunk reports tokens, and "[DONE]" ends the stream.
// The common chunk is read without a DOM (this runs for every token); anything unusual takes the
// nlohmann path, which decides and words any error.
// Not thread-safe: one instance per stream.
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::openai {

class OpenAiStreamParser {
 public:
  // One SSE event's data (without the "data: " prefix). An error object in the stream or an
  // unparseable payload returns an Error; last_error() then holds the details.
  Result<std::vector<StreamEvent>> feed(std::string_view data);
  bool done() const { return done_; }
  const std::optional<UpstreamError>& last_error() const { return last_error_; }

 private:
  Result<std::vector<StreamEvent>> fail(UpstreamError error);
  // The DOM-free reading of one chunk; false (and nothing changed) when it is not handled here.
  bool feed_plain(std::string_view data, std::vector<StreamEvent>& events);

  bool started_ = false;
  bool done_ = false;
  int next_index_ = 0;
  std::optional<int> text_index_;
  std::map<int, int> tool_index_;  // OpenAI tool_calls[].index → content index
  std::optional<UpstreamError> last_error_;
};

}  // namespace osprey::providers::openai
