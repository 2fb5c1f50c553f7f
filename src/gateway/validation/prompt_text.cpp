#include "gateway/validation/prompt_text.h"

namespace osprey::gateway::validation {

std::vector<PromptPart> prompt_text(const nlohmann::json& body) {
  std::vector<PromptPart> parts;
  if (!body.is_object()) return parts;
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array()) return parts;
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const nlohmann::json& message = (*messages)[i];
    if (!message.is_object()) continue;
    auto content = message.find("content");
    if (content == message.end()) continue;
    if (content->is_string()) {
      parts.push_back({i, content->get_ref<const std::string&>()});
      continue;
    }
    if (!content->is_array()) continue;
    for (const nlohmann::json& part : *content) {
      if (!part.is_object()) continue;
      auto text = part.find("text");
      if (text != part.end() && text->is_string()) {
        parts.push_back({i, text->get_ref<const std::string&>()});
      }
    }
  }
  return parts;
}

}  // namespace osprey::gateway::validation
