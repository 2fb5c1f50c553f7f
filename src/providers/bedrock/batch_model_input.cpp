#include "providers/bedrock/batch_model_input.h"

#include <string>

#include "providers/anthropic/anthropic_codec.h"
#include "providers/bedrock/converse_codec.h"

namespace osprey::providers::bedrock {
namespace {

using nlohmann::json;

// Bedrock batch records carry images inline only (no URL source, and no S3 location here).
Status check_inline_images(const ChatRequest& request) {
  for (std::size_t m = 0; m < request.messages.size(); ++m) {
    const auto& content = request.messages[m].content;
    for (std::size_t b = 0; b < content.size(); ++b) {
      const auto* image = std::get_if<ImageBlock>(&content[b]);
      if (image != nullptr && !image->url.empty()) {
        return make_error(ErrorCode::kInvalidRequest,
                          "messages[" + std::to_string(m) + "].content[" + std::to_string(b) +
                              "]: bedrock batch accepts only inline (base64) images, not URLs");
      }
    }
  }
  return {};
}

}  // namespace

std::optional<BatchModelFamily> batch_model_family(std::string_view model_id) {
  // An ARN names the model (or system-defined inference profile) in its last path segment.
  if (const auto slash = model_id.rfind('/'); slash != std::string_view::npos) {
    model_id = model_id.substr(slash + 1);
  }
  auto family_of = [](std::string_view id) -> std::optional<BatchModelFamily> {
    if (id.starts_with("anthropic.claude")) return BatchModelFamily::kClaude;
    if (id.starts_with("amazon.nova")) return BatchModelFamily::kNova;
    return std::nullopt;
  };
  if (auto family = family_of(model_id)) return family;
  // A cross-region inference profile puts a geography ("us.", "apac.", "us-gov.") in front.
  const auto dot = model_id.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  for (char c : model_id.substr(0, dot)) {
    if (!((c >= 'a' && c <= 'z') || c == '-')) return std::nullopt;
  }
  return family_of(model_id.substr(dot + 1));
}

std::string_view batch_model_family_name(BatchModelFamily family) {
  return family == BatchModelFamily::kClaude ? "claude" : "nova";
}

std::optional<BatchModelFamily> parse_batch_model_family(std::string_view name) {
  if (name == "claude") return BatchModelFamily::kClaude;
  if (name == "nova") return BatchModelFamily::kNova;
  return std::nullopt;
}

Result<json> build_claude_model_input(const ChatRequest& request) {
  if (auto ok = check_inline_images(request); !ok) return ok.error();
  ChatRequest req = request;
  req.stream = false;
  const bool choice_none = req.tool_choice && req.tool_choice->kind == ToolChoice::Kind::kNone;
  if (choice_none) {
    req.tool_choice.reset();
    if (!has_tool_blocks(req)) req.tools.clear();
  }
  json body = anthropic::build_messages_request(req);
  // The model is the job's, not the record's; metadata is not part of Bedrock's Claude body.
  body.erase("model");
  body.erase("metadata");
  body.erase("stream");
  body["anthropic_version"] = kClaudeBedrockVersion;
  return body;
}

Result<json> build_nova_model_input(const ChatRequest& request) {
  if (auto ok = check_inline_images(request); !ok) return ok.error();
  // Nova's Invoke body is the Converse body (bytes as base64, as Converse JSON carries them)
  // plus schemaVersion, with no additionalModelRequestFields.
  ChatRequest req = request;
  req.provider_options = json::object();
  auto built = build_converse_request(req);
  if (!built) return built.error();
  json body = std::move(*built);
  if (auto k = request.provider_options.find("top_k"); k != request.provider_options.end()) {
    body["inferenceConfig"]["topK"] = *k;
  }
  body["schemaVersion"] = kNovaSchemaVersion;
  return body;
}

Result<json> build_model_input(BatchModelFamily family, const ChatRequest& request) {
  return family == BatchModelFamily::kClaude ? build_claude_model_input(request)
                                             : build_nova_model_input(request);
}

Result<ChatResponse> parse_model_output(BatchModelFamily family, const json& output) {
  return family == BatchModelFamily::kClaude ? anthropic::messages_response_from_json(output)
                                             : converse_response_from_json(output);
}

}  // namespace osprey::providers::bedrock
