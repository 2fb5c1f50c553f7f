#include "gateway/cache/cache_key.h"

#include <openssl/sha.h>

#include <array>
#include <type_traits>

#include "providers/base64.h"
#include "providers/overloaded.h"

namespace osprey::gateway {
namespace {

using nlohmann::json;

template <typename T>
json optional_value(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json block_material(const providers::ContentBlock& block) {
  return std::visit(
      providers::Overloaded{
          [](const providers::TextBlock& b) -> json {
            return {{"text", b.text}};
          },
          [](const providers::ImageBlock& b) -> json {
            // Raw bytes are not valid JSON text: hash their base64 form. A detail level changes
            // the answer; it is keyed only when given, so earlier keys stay valid.
            json image = {{"url", b.url},
                          {"media_type", b.media_type},
                          {"data", providers::base64_encode(b.data)}};
            if (!b.detail.empty()) image["detail"] = b.detail;
            return {{"image", std::move(image)}};
          },
          [](const providers::ToolUseBlock& b) -> json {
            return {{"tool_use", {{"id", b.id}, {"name", b.name}, {"input", b.input}}}};
          },
          [](const providers::ToolResultBlock& b) -> json {
            json parts = json::array();
            for (const providers::ToolResultPart& p : b.content) {
              parts.push_back(p.kind == providers::ToolResultPart::Kind::kText
                                  ? json{{"text", p.text}}
                                  : json{{"json", p.json}});
            }
            return {{"tool_result",
                     {{"tool_use_id", b.tool_use_id},
                      {"is_error", b.is_error},
                      {"content", std::move(parts)}}}};
          },
      },
      block);
}

}  // namespace

json cache_key_material(const providers::ChatRequest& request) {
  json messages = json::array();
  for (const providers::Message& m : request.messages) {
    json content = json::array();
    for (const providers::ContentBlock& block : m.content) content.push_back(block_material(block));
    messages.push_back({{"role", m.role == providers::Role::kUser ? "user" : "assistant"},
                        {"content", std::move(content)}});
  }
  json tools = json::array();
  for (const providers::ToolSpec& t : request.tools) {
    tools.push_back(
        {{"name", t.name}, {"description", t.description}, {"input_schema", t.input_schema}});
  }
  json tool_choice = nullptr;
  if (request.tool_choice) {
    tool_choice = {{"kind", static_cast<int>(request.tool_choice->kind)},
                   {"name", request.tool_choice->name}};
  }
  json response_format = nullptr;
  if (request.response_format) {
    const providers::ResponseFormat& rf = *request.response_format;
    response_format = {{"kind", static_cast<int>(rf.kind)},
                       {"name", rf.name},
                       {"schema", rf.schema},
                       {"strict", rf.strict}};
  }
  const providers::InferenceConfig& inf = request.inference;
  return {{"model", request.model},
          {"system", request.system},
          {"messages", std::move(messages)},
          {"tools", std::move(tools)},
          {"tool_choice", std::move(tool_choice)},
          {"response_format", std::move(response_format)},
          {"inference",
           {{"temperature", optional_value(inf.temperature)},
            {"top_p", optional_value(inf.top_p)},
            {"max_tokens", optional_value(inf.max_tokens)},
            {"stop", inf.stop},
            {"seed", optional_value(inf.seed)}}},
          {"stream", request.stream},
          // Only a stream's events depend on it.
          {"include_usage", request.stream && request.include_usage},
          {"provider_options", request.provider_options},
          {"extra", request.extra}};
}

std::string cache_key(const providers::ChatRequest& request, std::string_view scope) {
  std::string text(scope);
  text += '\n';
  // `replace`: a stray invalid UTF-8 sequence in a forwarded field must not throw here.
  text += cache_key_material(request).dump(-1, ' ', false, json::error_handler_t::replace);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0x0f];
  }
  return hex;
}

bool is_deterministic(const providers::ChatRequest& request) {
  return request.inference.temperature.has_value() && *request.inference.temperature <= 0.0;
}

}  // namespace osprey::gateway
