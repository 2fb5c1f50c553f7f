#pragma once
// OllamaStreamParser: NDJSON lines of a streaming Ollama /api/chat response → StreamEvents.
// Tool calls arrive whole (one ToolUseStart + one ToolUseDelta each); the final "done": true
// line carries usage and done_reason. Not thread-safe: one instance per stream.
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::ollama {

class OllamaStreamParser {
 public:
  // One line (without the newline). Blank lines yield no events.
  Result<std::vector<StreamEvent>> feed(std::string_view line);
  bool done() const { return done_; }
  const std::optional<UpstreamError>& last_error() const { return last_error_; }

 private:
  bool started_ = false;
  bool done_ = false;
  bool saw_tool_call_ = false;
  int next_index_ = 0;
  std::optional<int> text_index_;
  std::optional<UpstreamError> last_error_;
};

}  // namespace osprey::providers::ollama
