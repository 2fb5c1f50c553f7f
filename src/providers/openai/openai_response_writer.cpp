#include "providers/openai/openai_response_writer.h"

#include "providers/json_text.h"

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

std::string render_chat_response_text(const ChatResponse& response) {
  // The text of the answer: a view of its one block (the common case), else the blocks joined.
  std::string joined;
  std::string_view text;
  std::size_t text_blocks = 0;
  for (const auto& block : response.content) {
    if (const auto* t = std::get_if<TextBlock>(&block)) {
      if (++text_blocks == 2) joined = text;
      if (text_blocks >= 2) joined += t->text;
      text = t->text;
    } else if (std::holds_alternative<ToolUseBlock>(block)) {
      return render_chat_response(response).dump();  // tool calls: one writer for them
    }
  }
  if (text_blocks >= 2) text = joined;
  // Keys in the order dump() writes them: sorted.
  using namespace std::string_view_literals;
  std::string out;
  out.reserve(256 + text.size() + response.id.size() + response.model.size());
  out += R"({"choices":[{"finish_reason":")"sv;
  out += finish_reason(response.stop_reason);
  out += R"(","index":0,"logprobs":null,"message":{"content":)"sv;
  bool valid = true;
  if (text_blocks > 0) {
    valid = append_json_text(out, text);
  } else {
    out += "null"sv;
  }
  out += R"(,"role":"assistant"}}],"created":)"sv;
  append_json_integer(out, response.created);
  out += R"(,"id":)"sv;
  valid = valid && append_json_text(out, response.id);
  out += R"(,"model":)"sv;
  valid = valid && append_json_text(out, response.model);
  out += R"(,"object":"chat.completion","usage":{"completion_tokens":)"sv;
  append_json_integer(out, response.usage.output_tokens);
  out += R"(,"prompt_tokens":)"sv;
  append_json_integer(out, response.usage.input_tokens);
  out += R"(,"total_tokens":)"sv;
  append_json_integer(out, response.usage.input_tokens + response.usage.output_tokens);
  out += "}}"sv;
  // Invalid UTF-8: dump() decides (it throws), as before.
  if (!valid) return render_chat_response(response).dump();
  return out;
}

}  // namespace osprey::providers::openai
