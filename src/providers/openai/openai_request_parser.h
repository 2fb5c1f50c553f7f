#pragma once
// Client-facing codec, request side: an OpenAI /v1/chat/completions body → ChatRequest.
// Errors are kInvalidRequest with a message naming the field, e.g.
// "messages[2].content: expected string or array". Pure; thread-safe.
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/chat_types.h"

namespace osprey::providers::openai {

Result<ChatRequest> parse_chat_request(const nlohmann::json& body);
// Same, from the raw body bytes; invalid JSON is kInvalidRequest.
Result<ChatRequest> parse_chat_request_text(std::string_view body);

}  // namespace osprey::providers::openai
