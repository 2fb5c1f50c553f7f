#pragma once
// Client-facing codec, response side: ChatResponse → OpenAI `chat.completion` JSON.
// Pure; thread-safe.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "providers/chat_types.h"

namespace osprey::providers::openai {

// end_turn/stop_sequence/unknown → "stop", max_tokens → "length", tool_use → "tool_calls",
// content_filter → "content_filter".
std::string_view finish_reason(StopReason reason);

nlohmann::json render_chat_response(const ChatResponse& response);
// render_chat_response(response).dump(), written directly for the common text-only answer (no
// DOM: this runs once per request); the same bytes.
std::string render_chat_response_text(const ChatResponse& response);

}  // namespace osprey::providers::openai
