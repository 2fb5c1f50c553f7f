#include "providers/bedrock/converse_codec.h"

#include <cctype>

#include "core/json_parse.h"
#include "providers/base64.h"
#include "providers/overloaded.h"

namespace osprey::providers::bedrock {
namespace {

using nlohmann::json;

// Internal only: lets the block renderer reject input deep in a visit; caught in
// build_converse_request.
struct InvalidBlock {
  std::string message;
};

json render_block(const ContentBlock& block, const std::string& path) {
  return std::visit(
      Overloaded{
          [](const TextBlock& t) -> json {
            return {{"text", t.text}};
          },
          [&](const ImageBlock& i) -> json {
            if (!i.url.empty()) {
              throw InvalidBlock{path + ": bedrock accepts only inline (base64) images, not URLs"};
            }
            const auto slash = i.media_type.find('/');
            const std::string format =
                slash == std::string::npos ? i.media_type : i.media_type.substr(slash + 1);
            return {
                {"image", {{"format", format}, {"source", {{"bytes", base64_encode(i.data)}}}}}};
          },
          [](const ToolUseBlock& t) -> json {
            json input = t.input.is_object() ? t.input : json{{"raw_arguments", t.input}};
            return {{"toolUse", {{"toolUseId", t.id}, {"name", t.name}, {"input", input}}}};
          },
          [](const ToolResultBlock& r) -> json {
            json content = json::array();
            for (const auto& part : r.content) {
              if (part.kind == ToolResultPart::Kind::kText) {
                content.push_back({{"text", part.text}});
              } else {
                content.push_back({{"json", part.json}});
              }
            }
            return {{"toolResult",
                     {{"toolUseId", r.tool_use_id},
                      {"content", std::move(content)},
                      {"status", r.is_error ? "error" : "success"}}}};
          },
      },
      block);
}

}  // namespace

Result<json> build_converse_request(const ChatRequest& request) {
  json body = json::object();
  if (!request.system.empty()) {
    json system = json::array();
    for (const auto& s : request.system) system.push_back({{"text", s}});
    body["system"] = std::move(system);
  }
  json messages = json::array();
  try {
    for (std::size_t m = 0; m < request.messages.size(); ++m) {
      const Message& msg = request.messages[m];
      const char* role = msg.role == Role::kUser ? "user" : "assistant";
      if (messages.empty() || messages.back()["role"] != role) {
        messages.push_back({{"role", role}, {"content", json::array()}});
      }
      for (std::size_t b = 0; b < msg.content.size(); ++b) {
        messages.back()["content"].push_back(
            render_block(msg.content[b],
                         "messages[" + std::to_string(m) + "].content[" + std::to_string(b) + "]"));
      }
    }
  } catch (const InvalidBlock& e) {
    return make_error(ErrorCode::kInvalidRequest, e.message);
  }
  body["messages"] = std::move(messages);

  json inference = json::object();
  const InferenceConfig& inf = request.inference;
  if (inf.max_tokens) inference["maxTokens"] = *inf.max_tokens;
  if (inf.temperature) inference["temperature"] = *inf.temperature;
  if (inf.top_p) inference["topP"] = *inf.top_p;
  if (!inf.stop.empty()) inference["stopSequences"] = inf.stop;
  if (!inference.empty()) body["inferenceConfig"] = std::move(inference);

  const bool choice_none =
      request.tool_choice && request.tool_choice->kind == ToolChoice::Kind::kNone;
  if (!request.tools.empty() && !(choice_none && !has_tool_blocks(request))) {
    json tools = json::array();
    for (const auto& t : request.tools) {
      json spec = {{"name", t.name}, {"inputSchema", {{"json", t.input_schema}}}};
      if (!t.description.empty()) spec["description"] = t.description;
      tools.push_back({{"toolSpec", std::move(spec)}});
    }
    json config = {{"tools", std::move(tools)}};
    if (request.tool_choice) {
      switch (request.tool_choice->kind) {
        case ToolChoice::Kind::kAuto:
          config["toolChoice"] = {{"auto", json::object()}};
          break;
        case ToolChoice::Kind::kRequired:
          config["toolChoice"] = {{"any", json::object()}};
          break;
        case ToolChoice::Kind::kTool:
          config["toolChoice"] = {{"tool", {{"name", request.tool_choice->name}}}};
          break;
        case ToolChoice::Kind::kNone:
          break;
      }
    }
    body["toolConfig"] = std::move(config);
  }
  if (request.provider_options.is_object() && !request.provider_options.empty()) {
    body["additionalModelRequestFields"] = request.provider_options;
  }
  return body;
}

StopReason parse_stop_reason(std::string_view reason) {
  if (reason == "end_turn") return StopReason::kEndTurn;
  if (reason == "tool_use") return StopReason::kToolUse;
  if (reason == "max_tokens") return StopReason::kMaxTokens;
  if (reason == "stop_sequence") return StopReason::kStopSequence;
  if (reason == "content_filtered" || reason == "guardrail_intervened") {
    return StopReason::kContentFilter;
  }
  return StopReason::kUnknown;
}

Result<ChatResponse> parse_converse_response(std::string_view body) {
  const json doc = parse_json(body);
  if (!doc.is_object()) {
    return malformed_upstream_body("bedrock", "not a JSON object: " + body_excerpt(body))
        .to_error();
  }
  return converse_response_from_json(doc);
}

Result<ChatResponse> converse_response_from_json(const json& doc) {
  auto bad = [](const std::string& what) {
    return malformed_upstream_body("bedrock", what).to_error();
  };
  if (!doc.is_object()) return bad("not a JSON object: " + body_excerpt(doc.dump()));
  try {
    const json* content = nullptr;
    if (auto o = doc.find("output"); o != doc.end() && o->is_object()) {
      if (auto m = o->find("message"); m != o->end() && m->is_object()) {
        if (auto c = m->find("content"); c != m->end() && c->is_array()) content = &*c;
      }
    }
    if (content == nullptr) return bad("missing output.message.content");
    ChatResponse out;
    for (const auto& block : *content) {
      if (auto t = block.find("text"); t != block.end() && t->is_string()) {
        out.content.emplace_back(TextBlock{t->get<std::string>()});
      } else if (auto u = block.find("toolUse"); u != block.end() && u->is_object()) {
        out.content.emplace_back(ToolUseBlock{u->value("toolUseId", ""), u->value("name", ""),
                                              u->value("input", json::object())});
      }  // reasoningContent and other block kinds are not part of the normalized answer
    }
    if (auto r = doc.find("stopReason"); r != doc.end() && r->is_string()) {
      out.stop_reason = parse_stop_reason(r->get<std::string>());
    }
    if (auto u = doc.find("usage"); u != doc.end() && u->is_object()) {
      out.usage.input_tokens = u->value("inputTokens", std::int64_t{0});
      out.usage.output_tokens = u->value("outputTokens", std::int64_t{0});
    }
    return out;
  } catch (const json::exception& e) {
    return bad(e.what());
  }
}

int status_for_exception(std::string_view error_type) {
  std::string name(error_type.substr(0, error_type.find(':')));
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  if (name == "ValidationException") return 400;
  if (name == "AccessDeniedException") return 403;
  if (name == "ResourceNotFoundException") return 404;
  if (name == "ModelTimeoutException") return 408;
  if (name == "ModelErrorException") return 424;
  if (name == "ThrottlingException" || name == "ModelNotReadyException") return 429;
  if (name == "ServiceUnavailableException") return 503;
  if (name == "ServiceQuotaExceededException") return 400;
  return 500;  // InternalServerException, ModelStreamErrorException and anything new
}

UpstreamError parse_error(int http_status, std::string_view error_type, std::string_view body,
                          const RetryHints& hints, std::chrono::system_clock::time_point now) {
  const std::string_view name = error_type.substr(0, error_type.find(':'));
  std::string message;
  const json doc = parse_json(body);
  if (doc.is_object()) {
    for (const char* key : {"message", "Message"}) {
      if (auto m = doc.find(key); m != doc.end() && m->is_string()) {
        message = m->get<std::string>();
        break;
      }
    }
  }
  if (message.empty()) {
    message =
        "HTTP " + std::to_string(http_status) + " with unrecognized body: " + body_excerpt(body);
  }
  if (!name.empty()) message = std::string(name) + ": " + message;
  const int status = http_status != 0 ? http_status : status_for_exception(name);
  UpstreamError e = upstream_error_from_status(status, "bedrock: " + message, hints, now);
  e.http_status = http_status;
  // A model still loading answers 429 and will be ready shortly; AWS SDKs retry it too.
  if (name == "ModelNotReadyException" || name == "modelNotReadyException") e.retryable = true;
  return e;
}

}  // namespace osprey::providers::bedrock
