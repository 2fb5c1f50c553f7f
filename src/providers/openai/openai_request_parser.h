#pragma once
// Client-facing codec, request side: an OpenAI /v1/chat/completions body → ChatRequest.
// Errors are kInvalidRequest with a message naming the field, e.g.
// "messages[2].content: expected string or array". Pure; thread-safe.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/chat_types.h"

namespace osprey::providers::openai {

Result<ChatRequest> parse_chat_request(const nlohmann::json& body);
// The request's own top-level fields (those the chat schema defines): `provider_options` may not
// carry them, or they would reach the provider past the schema's checks (`n: 1000`).
bool is_standard_chat_field(std::string_view name);
// Same, from the raw body bytes; invalid JSON is kInvalidRequest.
Result<ChatRequest> parse_chat_request_text(std::string_view body);
// The DOM-free reader alone, for hot paths: the common request (model; text messages of roles
// system, developer, user and assistant, whose other members are skipped except `name` and
// `refusal`, which must be strings or null; temperature, top_p, max_tokens or
// max_completion_tokens, seed, user, stream, stream_options; no other top-level field, no
// repeated key). Anything else, including every error, is nullopt: then parse the body as JSON
// and call parse_chat_request, which decides. What it returns is what that path returns.
std::optional<ChatRequest> parse_plain_chat_request(std::string_view body);
// The same reader filling `out` (a default ChatRequest) in place, for callers that keep the
// request where it is; on false `out` holds a partial read and must be discarded.
bool read_plain_chat_request(std::string_view body, ChatRequest& out);

}  // namespace osprey::providers::openai
