#pragma once
// The `modelInput` of one Bedrock batch inference record and the reading of its `modelOutput`.
// A batch record carries the InvokeModel body of the model that runs the job, so the body
// depends on the model family: the Anthropic Claude Messages body (anthropic_version
// "bedrock-2023-05-31") or the Amazon Nova "messages-v1" body. Pure functions; thread-safe.
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/chat_types.h"

namespace osprey::providers::bedrock {

enum class BatchModelFamily : std::uint8_t { kClaude, kNova };

inline constexpr std::string_view kClaudeBedrockVersion = "bedrock-2023-05-31";
inline constexpr std::string_view kNovaSchemaVersion = "messages-v1";

// The family of a Bedrock model id: "anthropic.claude-…" → kClaude, "amazon.nova-…" → kNova,
// also behind a cross-region inference-profile prefix ("us.", "eu.", "apac.", "global.", …)
// and as the last path segment of a foundation-model or inference-profile ARN. nullopt for any
// other id (other vendors, application inference profiles whose ARN names no model).
std::optional<BatchModelFamily> batch_model_family(std::string_view model_id);

// "claude" | "nova", and back (nullopt for anything else).
std::string_view batch_model_family_name(BatchModelFamily family);
std::optional<BatchModelFamily> parse_batch_model_family(std::string_view name);

// The Claude Messages body: anthropic_version, max_tokens (4096 when unset: Claude requires
// it), system, messages (text, base64 image, tool_use, tool_result blocks), tools
// [{name, description, input_schema}], tool_choice {type: auto|any|tool, name}, temperature
// (an explicit 0 is kept), top_p, top_k (from provider_options), stop_sequences. Image URLs
// are rejected (kInvalidRequest): Bedrock takes inline images only. tool_choice "none" has no
// documented Bedrock value: the tools are left out when the history has no tool blocks, else
// sent without tool_choice.
Result<nlohmann::json> build_claude_model_input(const ChatRequest& request);

// The Nova messages-v1 body: schemaVersion, system [{text}], messages (text, image
// {format, source{bytes: base64}}, toolUse, toolResult blocks), inferenceConfig {maxTokens,
// temperature, topP, topK (from provider_options), stopSequences}, toolConfig {tools[{toolSpec
// {name, description, inputSchema{json}}}], toolChoice {auto|any|tool{name}}}. Same rules for
// image URLs and tool_choice "none" as above; other provider_options have no place in it.
Result<nlohmann::json> build_nova_model_input(const ChatRequest& request);

Result<nlohmann::json> build_model_input(BatchModelFamily family, const ChatRequest& request);

// A record's modelOutput: the Claude Messages response (content[text|tool_use{id,name,input}],
// stop_reason, usage{input_tokens, output_tokens}) or the Nova response
// (output.message.content[text|toolUse{toolUseId,name,input}], stopReason,
// usage{inputTokens, outputTokens}). Tool names, stop reasons and usage are kept.
Result<ChatResponse> parse_model_output(BatchModelFamily family, const nlohmann::json& output);

}  // namespace osprey::providers::bedrock
