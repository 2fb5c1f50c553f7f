#include "providers/ollama/ollama_stream_parser.h"

#include <nlohmann/json.hpp>

#include "providers/ollama/ollama_codec.h"

namespace osprey::providers::ollama {

using nlohmann::json;

Result<std::vector<StreamEvent>> OllamaStreamParser::feed(std::string_view line) {
  std::vector<StreamEvent> events;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return events;
  const json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) {
    last_error_ = malformed_upstream_body("ollama", "stream line: " + body_excerpt(line));
    return last_error_->to_error();
  }
  if (auto e = doc.find("error"); e != doc.end()) {
    last_error_ = parse_error(0, line);
    last_error_->code = ErrorCode::kUpstreamError;
    return last_error_->to_error();
  }
  try {
    if (!started_) {
      started_ = true;
      events.emplace_back(MessageStartEvent{"", doc.value("model", "")});
    }
    const json message = doc.value("message", json::object());
    const std::string content = message.value("content", "");
    if (!content.empty()) {
      if (!text_index_) text_index_ = next_index_++;
      events.emplace_back(TextDeltaEvent{*text_index_, content});
    }
    if (auto calls = message.find("tool_calls"); calls != message.end() && calls->is_array()) {
      for (const auto& call : *calls) {
        const int index = next_index_++;
        const json fn = call.value("function", json::object());
        saw_tool_call_ = true;
        events.emplace_back(ToolUseStartEvent{
            index, call.value("id", "call_" + std::to_string(index)), fn.value("name", "")});
        const json args = parse_tool_arguments(fn);
        events.emplace_back(
            ToolUseDeltaEvent{index, args.is_string() ? args.get<std::string>() : args.dump()});
      }
    }
    if (doc.value("done", false)) {
      done_ = true;
      events.emplace_back(UsageEvent{doc.value("prompt_eval_count", std::int64_t{0}),
                                     doc.value("eval_count", std::int64_t{0})});
      events.emplace_back(
          MessageStopEvent{parse_done_reason(doc.value("done_reason", ""), saw_tool_call_)});
    }
  } catch (const json::exception& e) {
    last_error_ = malformed_upstream_body("ollama", std::string("stream line: ") + e.what());
    return last_error_->to_error();
  }
  return events;
}

}  // namespace osprey::providers::ollama
