#pragma once
// The prompt text of an OpenAI chat request body: every text a message carries (string contents
// and "text" parts of content arrays, for every role), one entry per message or part, so that a
// pattern never matches across two parts. Images and tool-call arguments are not text here.
// Pure function; thread-safe.
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace osprey::gateway::validation {

struct PromptPart {
  std::size_t message = 0;  // index in "messages"
  std::string_view text;    // views into the body: valid while the body lives
};

std::vector<PromptPart> prompt_text(const nlohmann::json& body);

}  // namespace osprey::gateway::validation
