#include "providers/chat_types.h"

namespace osprey::providers {

std::string response_text(const ChatResponse& response) {
  std::string out;
  for (const auto& block : response.content) {
    if (const auto* text = std::get_if<TextBlock>(&block)) out += text->text;
  }
  return out;
}

bool has_tool_blocks(const ChatRequest& request) {
  for (const auto& msg : request.messages) {
    for (const auto& block : msg.content) {
      if (std::holds_alternative<ToolUseBlock>(block) ||
          std::holds_alternative<ToolResultBlock>(block)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace osprey::providers
