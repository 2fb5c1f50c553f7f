#include "providers/chat_types.h"

namespace osprey::providers {

std::string response_text(const ChatResponse& response) {
  std::string out;
  for (const auto& block : response.content) {
    if (const auto* text = std::get_if<TextBlock>(&block)) out += text->text;
  }
  return out;
}

}  // namespace osprey::providers
