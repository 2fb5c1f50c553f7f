#pragma once
// Codec for the AWS Bedrock Converse API (POST /model/{modelId}/converse): ChatRequest → body,
// response → ChatResponse, error → UpstreamError. The model id travels in the URL, not the body.
// Pure functions; thread-safe. Streaming lives in converse_stream_parser.h.
#include <chrono>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::bedrock {

// Consecutive same-role messages are merged (Converse requires alternation). Converse has no
// "none" tool choice: tools are dropped when the history has no tool blocks, otherwise sent
// without toolChoice. provider_options go to additionalModelRequestFields. Image URLs are
// rejected (kInvalidRequest): Converse takes inline bytes only (or S3, not supported here).
Result<nlohmann::json> build_converse_request(const ChatRequest& request);

Result<ChatResponse> parse_converse_response(std::string_view body);
// The same for an already parsed body (e.g. an Amazon Nova batch record's modelOutput, which
// has the Converse response shape).
Result<ChatResponse> converse_response_from_json(const nlohmann::json& doc);

// end_turn, tool_use, max_tokens, stop_sequence; content_filtered and guardrail_intervened →
// content_filter.
StopReason parse_stop_reason(std::string_view reason);

// The status Bedrock documents for an exception name ("ThrottlingException" → 429, …); 500 for
// unknown names. Accepts the x-amzn-ErrorType form "Name:namespace" and lowerCamel stream
// exception names ("throttlingException").
int status_for_exception(std::string_view error_type);

// `error_type` is the x-amzn-ErrorType header (may be empty); body is {"message": "..."}.
UpstreamError parse_error(
    int http_status, std::string_view error_type, std::string_view body,
    const RetryHints& hints = {},
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace osprey::providers::bedrock
