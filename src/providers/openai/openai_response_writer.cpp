#include "providers/openai/openai_response_writer.h"

namespace osprey::providers::openai {

using nlohmann::json;

std::string_view finish_reason(StopReason reason) {
  switch (reason) {
    case StopReason::kMaxTokens:
      return "length";
    case StopReason::kToolUse:
      return "tool_calls";
    case StopReason::kContentFilter:
      return "content_filter";
    case StopReason::kEndTurn:
    case StopReason::kStopSequence:
    case StopReason::kUnknown:
      break;
  }
  return "stop";
}

json render_chat_response(const ChatResponse& response) {
  std::string text;
  bool has_text = false;
  json tool_calls = json::array();
  for (const auto& block : response.content) {
    if (const auto* t = std::get_if<TextBlock>(&block)) {
      text += t->text;
      has_text = true;
    } else if (const auto* tool = std::get_if<ToolUseBlock>(&block)) {
      // OpenAI carries arguments as a JSON-encoded string; a string input is already raw text.
      tool_calls.push_back({{"id", tool->id},
                            {"type", "function"},
                            {"function",
                             {{"name", tool->name},
                              {"arguments", tool->input.is_string() ? tool->input.get<std::string>()
                                                                    : tool->input.dump()}}}});
    }
  }
  json message = {{"role", "assistant"}, {"content", has_text ? json(text) : json(nullptr)}};
  if (!tool_calls.empty()) message["tool_calls"] = std::move(tool_calls);
  return {
      {"id", response.id},
      {"object", "chat.completion"},
      {"created", response.created},
      {"model", response.model},
      {"choices", json::array({{{"index", 0},
                                {"message", std::move(message)},
                                {"logprobs", nullptr},
                                {"finish_reason", finish_reason(response.stop_reason)}}})},
      {"usage",
       {{"prompt_tokens", response.usage.input_tokens},
        {"completion_tokens", response.usage.output_tokens},
        {"total_tokens", response.usage.input_tokens + response.usage.output_tokens}}},
  };
}

}  // namespace osprey::providers::openai
