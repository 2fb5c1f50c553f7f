#pragma once
// OllamaStreamParser: NDJSON lines of a streaming Ollama /api/chat response → StreamEvents.
// Tool calls arrive whole (one ToolUseStart + one ToolUseDelta each); the final "done": true
// line carries usage and done_reason. Not thread-safe: one instance per stream.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::ollama {

// The fields of one clean stream line, read without a DOM (this runs for every token).
struct PlainLine {
  std::string model;    // only read with want_model (the first line opens the message)
  std::string content;  // message.content; empty when absent
  bool done = false;
  std::string done_reason;  // read only when done
  std::int64_t prompt_eval_count = 0;
  std::int64_t eval_count = 0;
};

// Only clean lines are read: fields of the types the nlohmann path reads them as, no repeated
// key, no `error`, no `tool_calls`. Anything else returns nullopt and the parser takes the
// nlohmann path, so the events are always what that path gives. Pure; thread-safe.
std::optional<PlainLine> read_plain_stream_line(std::string_view line, bool want_model);

class OllamaStreamParser {
 public:
  // One line (without the newline). Blank lines yield no events.
  Result<std::vector<StreamEvent>> feed(std::string_view line);
  bool done() const { return done_; }
  const std::optional<UpstreamError>& last_error() const { return last_error_; }

 private:
  // The events of a line's start, text and end, around which the DOM path adds tool calls.
  void open(std::string model, std::vector<StreamEvent>& events);
  void add_text(std::string content, std::vector<StreamEvent>& events);
  void close(std::int64_t input_tokens, std::int64_t output_tokens, std::string_view reason,
             std::vector<StreamEvent>& events);

  bool started_ = false;
  bool done_ = false;
  bool saw_tool_call_ = false;
  int next_index_ = 0;
  std::optional<int> text_index_;
  std::optional<UpstreamError> last_error_;
};

}  // namespace osprey::providers::ollama
