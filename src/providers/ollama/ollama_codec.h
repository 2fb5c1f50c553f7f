#pragma once
// Codec for Ollama's native API: POST /api/chat (request, response, NDJSON stream lines) and
// GET /api/tags. Pure functions; thread-safe. Streaming lives in ollama_stream_parser.h.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/upstream_error.h"

namespace osprey::providers::ollama {

// Inference settings go to `options` (max_tokens → num_predict); provider_options keys go to
// `options` too (num_ctx, top_k, repeat_penalty, …) except `keep_alive` and `think`, which are
// top-level. Ollama has no tool_choice: "none" omits the tools, other choices cannot force a
// call. Image URLs are rejected (kInvalidRequest): Ollama accepts only inline base64 images.
Result<nlohmann::json> build_chat_request(const ChatRequest& request);

// A non-streaming /api/chat body. Ollama gives no tool call ids; they are made up as
// "call_<n>" when absent.
Result<ChatResponse> parse_chat_response(std::string_view body);

// {"models":[{"name":...}, ...]} → model names.
Result<std::vector<std::string>> parse_tags(std::string_view body);

// {"error":"..."}.
UpstreamError parse_error(
    int http_status, std::string_view body, const RetryHints& hints = {},
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// done_reason → StopReason; "stop" after tool calls means tool_use.
StopReason parse_done_reason(std::string_view reason, bool saw_tool_call);

// A tool call's `function.arguments`: an object from Ollama, but a JSON string from some model
// templates (kept as a string if it does not parse).
nlohmann::json parse_tool_arguments(const nlohmann::json& function);

}  // namespace osprey::providers::ollama
