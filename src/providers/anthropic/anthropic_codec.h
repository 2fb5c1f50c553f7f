#pragma once
// Codec for the Anthropic Messages API (POST /v1/messages): ChatRequest → request body,
// response body → ChatResponse, error response → UpstreamError. Pure functions; thread-safe.
// Streaming lives in anthropic_stream_parser.h.
#include <chrono>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::anthropic {

// Anthropic requires max_tokens; this is sent when the request leaves it unset.
inline constexpr std::int64_t kDefaultMaxTokens = 4096;

// Consecutive same-role messages are merged (the API requires alternation) with tool_result
// blocks first in a user turn. seed and response_format have no Messages API equivalent and
// are not sent; provider_options.top_k is.
nlohmann::json build_messages_request(const ChatRequest& request);

Result<ChatResponse> parse_messages_response(std::string_view body);
// The same for an already parsed body (e.g. a Bedrock batch record's modelOutput).
Result<ChatResponse> messages_response_from_json(const nlohmann::json& doc);

// "end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal" → content_filter.
StopReason parse_stop_reason(std::string_view reason);

// The HTTP status Anthropic documents for an error type ("rate_limit_error" → 429,
// "overloaded_error" → 529, …); 500 for unknown types. Used for errors that arrive mid-stream.
int status_for_error_type(std::string_view type);

// {"type":"error","error":{"type","message"}}.
UpstreamError parse_error(
    int http_status, std::string_view body, const RetryHints& hints = {},
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace osprey::providers::anthropic
