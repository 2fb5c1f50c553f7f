// Amazon Bedrock Runtime Converse as documented in the Bedrock API reference:
// `POST /model/{modelId}/converse` (and `/converse-stream` in AWS event stream framing),
// `GET /foundation-models` (ListFoundationModels) as the probe, SigV4 `Authorization` +
// `X-Amz-Date` required (the signature itself is not verified), and errors as a
// `x-amzn-ErrorType` header with a {"message":...} body. Auth failures are 403 as on AWS.
#include "fakes/aws_event_stream.h"
#include "fakes/personality.h"

namespace osprey::fakes {

namespace {

using nlohmann::json;

std::string bedrock_error_type_for(int status) {
  switch (status) {
    case 400:
      return "ValidationException";
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 503:
      return "ServiceUnavailableException";
    default:
      return "InternalServerException";
  }
}

Reply aws_error(int status, const std::string& type, std::string_view message) {
  return {status,
          {{"Content-Type", "application/json"},
           {"x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/"},
           {"x-amzn-RequestId", "fake-request-id"}},
          json{{"message", message}}.dump()};
}

constexpr std::string_view kModelPrefix = "/model/";

class BedrockPersonality final : public Personality {
 public:
  explicit BedrockPersonality(PersonalityOptions options) : options_(std::move(options)) {
    if (options_.models.empty()) {
      options_.models = {"anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-lite-v1:0"};
    }
    json summaries = json::array();
    for (const auto& m : options_.models) {
      summaries.push_back({{"modelArn", "arn:aws:bedrock:us-east-1::foundation-model/" + m},
                           {"modelId", m},
                           {"modelName", m},
                           {"providerName", m.substr(0, m.find('.'))},
                           {"inputModalities", json::array({"TEXT"})},
                           {"outputModalities", json::array({"TEXT"})},
                           {"responseStreamingSupported", true},
                           {"customizationsSupported", json::array()},
                           {"inferenceTypesSupported", json::array({"ON_DEMAND"})},
                           {"modelLifecycle", {{"status", "ACTIVE"}}}});
    }
    models_body_ = json{{"modelSummaries", summaries}}.dump();
  }

  Vendor vendor() const override { return Vendor::kBedrock; }

  Route classify(const RecordedRequest& req) const override {
    if (req.method == "GET" && req.path == "/foundation-models") return Route::kProbe;
    if (req.method == "POST" && !model_id(req.path).empty()) return Route::kChat;
    return Route::kUnknown;
  }

  std::optional<Reply> check_auth(const RecordedRequest& req) const override {
    const std::string auth = req.header("Authorization");
    if (auth.empty()) {
      return aws_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    constexpr std::string_view kPrefix = "AWS4-HMAC-SHA256 Credential=";
    if (!auth.starts_with(kPrefix) || auth.find("Signature=") == std::string::npos) {
      return aws_error(403, "IncompleteSignatureException",
                       "Authorization header requires 'Credential', 'SignedHeaders' and "
                       "'Signature' parameters.");
    }
    if (req.header("X-Amz-Date").empty()) {
      return aws_error(403, "IncompleteSignatureException",
                       "Authorization header requires existence of either a 'X-Amz-Date' or a "
                       "'Date' header.");
    }
    if (!options_.api_key.empty()) {
      const std::string key_id = auth.substr(kPrefix.size(), auth.find('/') - kPrefix.size());
      if (key_id != options_.api_key) {
        return aws_error(403, "UnrecognizedClientException",
                         "The security token included in the request is invalid.");
      }
    }
    return std::nullopt;
  }

  std::variant<ParsedChat, Reply> parse_chat(const RecordedRequest& req) const override {
    ParsedChat chat;
    chat.model = percent_decode(model_id(req.path));
    chat.stream = req.path.ends_with("/converse-stream");
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return aws_error(400, "SerializationException", "Unable to parse the request body as JSON");
    }
    auto messages = body.find("messages");
    if (messages == body.end() || !messages->is_array() || messages->empty()) {
      return error(400,
                   "1 validation error detected: Value null at 'messages' failed to satisfy "
                   "constraint: Member must not be null");
    }
    if (body.contains("system")) chat.turn.input_words += count_words(text_of(body["system"]));
    for (const auto& m : *messages) {
      if (!m.is_object() || !m.contains("role") || !m.contains("content") ||
          !m["content"].is_array()) {
        return error(400, "messages: each message needs 'role' and a 'content' list");
      }
      chat.turn.last_is_tool_result = false;
      for (const auto& block : m["content"]) {
        if (!block.is_object() || !block.contains("toolResult")) continue;
        const json& result = block["toolResult"];
        std::string text;
        if (result.is_object() && result.contains("content") && result["content"].is_array()) {
          for (const auto& part : result["content"]) {
            if (!part.is_object()) continue;
            if (part.contains("text") && part["text"].is_string())
              text += part["text"].get<std::string>();
            if (part.contains("json")) text += part["json"].dump();
          }
        }
        chat.turn.last_is_tool_result = true;
        chat.turn.tool_result_text = text;
        chat.turn.input_words += count_words(text);
      }
      const std::string text = text_of(m["content"]);
      chat.turn.input_words += count_words(text);
      if (m["role"] == "user" && !chat.turn.last_is_tool_result) chat.turn.last_user_text = text;
    }
    const json* tools = nullptr;
    if (auto tc = body.find("toolConfig");
        tc != body.end() && tc->is_object() && tc->contains("tools")) {
      tools = &(*tc)["tools"];
    }
    if (tools != nullptr && tools->is_array() && !tools->empty()) {
      const json& t = (*tools)[0];
      const json spec = t.is_object() ? t.value("toolSpec", json()) : json();
      if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string()) {
        return error(400, "toolConfig.tools.0.toolSpec.name: Member must not be null");
      }
      json schema;
      if (spec.contains("inputSchema") && spec["inputSchema"].is_object()) {
        schema = spec["inputSchema"].value("json", json());
      }
      chat.turn.first_tool = OfferedTool{spec["name"].get<std::string>(), schema};
    }
    return chat;
  }

  Reply error(int status, std::string_view message) const override {
    return aws_error(status, bedrock_error_type_for(status), message);
  }

  // Exceptions inside ConverseStream are frames with :message-type "exception".
  std::string stream_error(std::string_view message) const override {
    return encode_event_stream_message({{":exception-type", "modelStreamErrorException"},
                                        {":content-type", "application/json"},
                                        {":message-type", "exception"}},
                                       json{{"message", message}}.dump());
  }

  Reply probe() const override {
    return {200, {{"Content-Type", "application/json"}}, models_body_};
  }

  Reply complete(const ParsedChat&, const ScriptedAnswer& a, std::uint64_t seq) const override {
    const json body = {
        {"output",
         {{"message", {{"role", "assistant"}, {"content", json::array({block(a, seq)})}}}}},
        {"stopReason", stop_reason(a)},
        {"usage", usage(a)},
        {"metrics", {{"latencyMs", 1}}}};
    return {200,
            {{"Content-Type", "application/json"}, {"x-amzn-RequestId", request_id(seq)}},
            body.dump()};
  }

  StreamPlan stream(const ParsedChat&, const ScriptedAnswer& a, std::uint64_t seq) const override {
    StreamPlan plan;
    plan.headers = {{"Content-Type", "application/vnd.amazon.eventstream"},
                    {"x-amzn-RequestId", request_id(seq)}};
    auto event = [&](std::string_view type, const json& payload) {
      plan.chunks.push_back(encode_event(type, payload.dump()));
    };
    event("messageStart", {{"role", "assistant"}});
    if (a.kind == ScriptedAnswer::Kind::kToolCall) {
      event("contentBlockStart",
            {{"contentBlockIndex", 0},
             {"start", {{"toolUse", {{"toolUseId", tool_use_id(seq)}, {"name", a.tool_name}}}}}});
      const std::string args = a.arguments.dump();
      constexpr std::size_t kStep = 8;
      for (std::size_t i = 0; i < args.size(); i += kStep) {
        event("contentBlockDelta", {{"contentBlockIndex", 0},
                                    {"delta", {{"toolUse", {{"input", args.substr(i, kStep)}}}}}});
      }
    } else {
      for (const auto& piece : a.pieces) {
        event("contentBlockDelta", {{"contentBlockIndex", 0}, {"delta", {{"text", piece}}}});
      }
    }
    event("contentBlockStop", {{"contentBlockIndex", 0}});
    event("messageStop", {{"stopReason", stop_reason(a)}});
    event("metadata", {{"usage", usage(a)}, {"metrics", {{"latencyMs", 1}}}});
    return plan;
  }

 private:
  // The raw {modelId} of /model/{modelId}/converse[-stream], or empty if the path is not one.
  static std::string_view model_id(std::string_view path) {
    if (!path.starts_with(kModelPrefix)) return {};
    path.remove_prefix(kModelPrefix.size());
    for (std::string_view suffix : {"/converse", "/converse-stream"}) {
      if (path.size() > suffix.size() && path.ends_with(suffix)) {
        const std::string_view id = path.substr(0, path.size() - suffix.size());
        return id.find('/') == std::string_view::npos ? id : std::string_view{};
      }
    }
    return {};
  }

  static json block(const ScriptedAnswer& a, std::uint64_t seq) {
    if (a.kind == ScriptedAnswer::Kind::kToolCall) {
      return {{"toolUse",
               {{"toolUseId", tool_use_id(seq)}, {"name", a.tool_name}, {"input", a.arguments}}}};
    }
    return {{"text", a.text}};
  }

  static json usage(const ScriptedAnswer& a) {
    return {{"inputTokens", a.input_tokens},
            {"outputTokens", a.output_tokens},
            {"totalTokens", a.input_tokens + a.output_tokens}};
  }

  static std::string stop_reason(const ScriptedAnswer& a) {
    return a.kind == ScriptedAnswer::Kind::kToolCall ? "tool_use" : "end_turn";
  }

  static std::string tool_use_id(std::uint64_t seq) { return "tooluse_fake" + std::to_string(seq); }
  static std::string request_id(std::uint64_t seq) { return "fake-" + std::to_string(seq); }

  PersonalityOptions options_;
  std::string models_body_;
};

}  // namespace

std::unique_ptr<Personality> make_bedrock_personality(const PersonalityOptions& options) {
  return std::make_unique<BedrockPersonality>(options);
}

}  // namespace osprey::fakes
