#pragma once
// Upstream codec for OpenAI-compatible servers (OpenAI, vLLM, llama.cpp, Ollama /v1):
// ChatRequest → request JSON, response JSON → ChatResponse, error response → UpstreamError.
// Pure functions; thread-safe. Streaming lives in openai_stream_parser.h.
#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::openai {

// `extra` fields are merged last and never override a field we set. A streaming request always
// asks for usage (stream_options.include_usage) so the ledger can count tokens.
nlohmann::json build_chat_request(const ChatRequest& request);

// build_chat_request(r).dump() for r = `request` with model, stream and extra replaced: the same
// bytes, written without a DOM and without copying `request` (this runs once per attempt).
std::string write_chat_request(const ChatRequest& request, std::string_view model, bool stream,
                               const nlohmann::json& extra);

// A 2xx body → ChatResponse; an unparseable body is kUpstreamError.
Result<ChatResponse> parse_chat_response(std::string_view body);

// "stop" → end_turn, "length" → max_tokens, "tool_calls"/"function_call" → tool_use,
// "content_filter" → content_filter.
StopReason parse_finish_reason(std::string_view reason);

// A non-2xx response: {"error":{"message","type","param","code"}} (also the flat
// {"message","type"} shape some compatible servers use).
UpstreamError parse_error(
    int http_status, std::string_view body, const RetryHints& hints = {},
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace osprey::providers::openai
