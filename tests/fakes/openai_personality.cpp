// OpenAI Chat Completions as documented at platform.openai.com/docs/api-reference/chat:
// `chat.completion` objects, `chat.completion.chunk` SSE events ending with `data: [DONE]`,
// the usage chunk with empty `choices` when stream_options.include_usage is set, and errors
// shaped {"error":{"message","type","param","code"}}.
#include <ctime>

#include "fakes/personality.h"

namespace osprey::fakes {

namespace {

using nlohmann::json;

std::string json_quoted(std::string_view s) { return json(s).dump(); }

std::string usage_json(const ScriptedAnswer& a) {
  return R"({"prompt_tokens":)" + std::to_string(a.input_tokens) + R"(,"completion_tokens":)" +
         std::to_string(a.output_tokens) + R"(,"total_tokens":)" +
         std::to_string(a.input_tokens + a.output_tokens) +
         R"(,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},)"
         R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)"
         R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";
}

// Argument JSON streamed in a few fragments, as OpenAI does.
std::vector<std::string> fragments(const std::string& s) {
  std::vector<std::string> out;
  constexpr std::size_t kStep = 8;
  for (std::size_t i = 0; i < s.size(); i += kStep) out.push_back(s.substr(i, kStep));
  return out;
}

class OpenAiPersonality final : public Personality {
 public:
  explicit OpenAiPersonality(PersonalityOptions options) : options_(std::move(options)) {
    if (options_.models.empty()) options_.models = {"gpt-4o-mini", "gpt-4o"};
    json data = json::array();
    for (const auto& m : options_.models) {
      data.push_back(
          {{"id", m}, {"object", "model"}, {"created", 1686935002}, {"owned_by", "system"}});
    }
    models_body_ = json{{"object", "list"}, {"data", data}}.dump();
  }

  Vendor vendor() const override { return Vendor::kOpenAi; }

  Route classify(const RecordedRequest& req) const override {
    if (req.method == "POST" && req.path == "/v1/chat/completions") return Route::kChat;
    if (req.method == "GET" && req.path == "/v1/models") return Route::kProbe;
    return Route::kUnknown;
  }

  std::optional<Reply> check_auth(const RecordedRequest& req) const override {
    if (options_.api_key.empty()) return std::nullopt;
    const std::string auth = req.header("Authorization");
    if (auth.empty()) {
      return error_with(401,
                        "You didn't provide an API key. You need to provide your API key in an "
                        "Authorization header using Bearer auth (i.e. Authorization: Bearer "
                        "YOUR_KEY).",
                        "invalid_request_error", "null");
    }
    if (auth != "Bearer " + options_.api_key) {
      return error_with(401, "Incorrect API key provided.", "invalid_request_error",
                        R"("invalid_api_key")");
    }
    return std::nullopt;
  }

  std::variant<ParsedChat, Reply> parse_chat(const RecordedRequest& req) const override {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return error_with(400,
                        "We could not parse the JSON body of your request. (HINT: This likely "
                        "means you aren't using your HTTP library correctly. The OpenAI API "
                        "expects a JSON payload, but what was sent was not valid JSON.)",
                        "invalid_request_error", "null");
    }
    ParsedChat chat;
    auto model = body.find("model");
    if (model == body.end() || !model->is_string()) {
      return error_with(400, "you must provide a model parameter", "invalid_request_error", "null");
    }
    chat.model = model->get<std::string>();
    auto messages = body.find("messages");
    if (messages == body.end() || !messages->is_array() || messages->empty()) {
      return error_with(400, "Missing required parameter: 'messages'.", "invalid_request_error",
                        R"("missing_required_parameter")", "messages");
    }
    for (const auto& m : *messages) {
      if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
        return error_with(400, "Invalid 'messages': each message needs a string 'role'.",
                          "invalid_request_error", R"("invalid_value")", "messages");
      }
      const std::string text = m.contains("content") ? text_of(m["content"]) : "";
      chat.turn.input_words += count_words(text);
      if (m["role"] == "user") chat.turn.last_user_text = text;
      chat.turn.last_is_tool_result = m["role"] == "tool";
      if (chat.turn.last_is_tool_result) chat.turn.tool_result_text = text;
    }
    auto tools = body.find("tools");
    const bool tools_disabled = body.contains("tool_choice") && body["tool_choice"] == "none";
    if (tools != body.end() && tools->is_array() && !tools->empty() && !tools_disabled) {
      const json& first = (*tools)[0];
      const json fn = first.is_object() ? first.value("function", json::object()) : json();
      if (!fn.is_object() || !fn.contains("name") || !fn["name"].is_string()) {
        return error_with(400, "Missing required parameter: 'tools[0].function.name'.",
                          "invalid_request_error", R"("missing_required_parameter")",
                          "tools[0].function.name");
      }
      chat.turn.first_tool = OfferedTool{fn["name"].get<std::string>(),
                                         fn.contains("parameters") ? fn["parameters"] : json()};
    }
    chat.stream = json_true(body, "stream");
    if (auto so = body.find("stream_options"); so != body.end()) {
      chat.include_usage = json_true(*so, "include_usage");
    }
    return chat;
  }

  Reply error(int status, std::string_view message) const override {
    switch (status) {
      case 400:
        return error_with(status, message, "invalid_request_error", "null");
      case 401:
        return error_with(status, message, "invalid_request_error", R"("invalid_api_key")");
      case 403:
        return error_with(status, message, "invalid_request_error", R"("unsupported_country")");
      case 404:
        return error_with(status, message, "invalid_request_error", R"("model_not_found")");
      case 429:
        return error_with(status, message, "requests", R"("rate_limit_exceeded")");
      default:
        return error_with(status, message, "server_error", "null");
    }
  }

  void add_retry_after(Reply& reply, int seconds) const override {
    reply.headers.emplace_back("Retry-After", std::to_string(seconds));
    reply.headers.emplace_back("retry-after-ms", std::to_string(seconds * 1000));
  }

  std::string stream_error(std::string_view message) const override {
    return "data: " + error_with(500, message, "server_error", "null").body + "\n\n";
  }

  Reply probe() const override {
    return {200, {{"Content-Type", "application/json"}}, models_body_};
  }

  Reply complete(const ParsedChat& chat, const ScriptedAnswer& a,
                 std::uint64_t seq) const override {
    std::string message;
    std::string finish;
    if (a.kind == ScriptedAnswer::Kind::kToolCall) {
      message = R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_fake)" +
                std::to_string(seq) + R"(","type":"function","function":{"name":)" +
                json_quoted(a.tool_name) + R"(,"arguments":)" + json_quoted(a.arguments.dump()) +
                R"(}}],"refusal":null,"annotations":[]})";
      finish = "tool_calls";
    } else {
      message = R"({"role":"assistant","content":)" + json_quoted(a.text) +
                R"(,"refusal":null,"annotations":[]})";
      finish = "stop";
    }
    std::string body = head(chat, seq, "chat.completion") + R"("choices":[{"index":0,"message":)" +
                       message + R"(,"logprobs":null,"finish_reason":")" + finish +
                       R"("}],"usage":)" + usage_json(a) +
                       R"(,"service_tier":"default","system_fingerprint":"fp_fake"})";
    return {
        200,
        {{"Content-Type", "application/json"}, {"x-request-id", "req_fake" + std::to_string(seq)}},
        std::move(body)};
  }

  StreamPlan stream(const ParsedChat& chat, const ScriptedAnswer& a,
                    std::uint64_t seq) const override {
    StreamPlan plan;
    plan.headers = {{"Content-Type", "text/event-stream; charset=utf-8"},
                    {"Cache-Control", "no-cache"},
                    {"x-request-id", "req_fake" + std::to_string(seq)}};
    const std::string prefix = head(chat, seq, "chat.completion.chunk");
    const std::string usage_null = chat.include_usage ? R"(,"usage":null)" : "";
    auto chunk = [&](const std::string& delta, const std::string& finish) {
      return "data: " + prefix +
             R"("system_fingerprint":"fp_fake","choices":[{"index":0,"delta":)" + delta +
             R"(,"logprobs":null,"finish_reason":)" + finish + "}]" + usage_null + "}\n\n";
    };
    std::string finish;
    if (a.kind == ScriptedAnswer::Kind::kToolCall) {
      plan.chunks.push_back(
          chunk(R"({"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_fake)" +
                    std::to_string(seq) + R"(","type":"function","function":{"name":)" +
                    json_quoted(a.tool_name) + R"(,"arguments":""}}],"refusal":null})",
                "null"));
      for (const auto& frag : fragments(a.arguments.dump())) {
        plan.chunks.push_back(chunk(
            R"({"tool_calls":[{"index":0,"function":{"arguments":)" + json_quoted(frag) + "}}]}",
            "null"));
      }
      finish = R"("tool_calls")";
    } else {
      plan.chunks.push_back(chunk(R"({"role":"assistant","content":"","refusal":null})", "null"));
      for (const auto& piece : a.pieces) {
        plan.chunks.push_back(chunk(R"({"content":)" + json_quoted(piece) + "}", "null"));
      }
      finish = R"("stop")";
    }
    plan.chunks.push_back(chunk("{}", finish));
    if (chat.include_usage) {
      plan.chunks.push_back("data: " + prefix +
                            R"("system_fingerprint":"fp_fake","choices":[],"usage":)" +
                            usage_json(a) + "}\n\n");
    }
    plan.chunks.push_back("data: [DONE]\n\n");
    return plan;
  }

 private:
  // `{"id":...,"object":...,"created":...,"model":...,` — the fields every object starts with.
  static std::string head(const ParsedChat& chat, std::uint64_t seq, std::string_view object) {
    return R"({"id":"chatcmpl-fake)" + std::to_string(seq) + R"(","object":")" +
           std::string(object) + R"(","created":)" + std::to_string(std::time(nullptr)) +
           R"(,"model":)" + json_quoted(chat.model) + ",";
  }

  static Reply error_with(int status, std::string_view message, std::string_view type,
                          std::string_view code_json, std::string_view param = {}) {
    std::string body = R"({"error":{"message":)" + json_quoted(message) + R"(,"type":)" +
                       json_quoted(type) + R"(,"param":)" +
                       (param.empty() ? std::string("null") : json_quoted(param)) + R"(,"code":)" +
                       std::string(code_json) + "}}";
    return {status, {{"Content-Type", "application/json"}}, std::move(body)};
  }

  PersonalityOptions options_;
  std::string models_body_;
};

}  // namespace

std::unique_ptr<Personality> make_openai_personality(const PersonalityOptions& options) {
  return std::make_unique<OpenAiPersonality>(options);
}

}  // namespace osprey::fakes
