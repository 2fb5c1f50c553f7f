// Ollama's native API as documented in docs/api.md of ollama/ollama: `POST /api/chat` answering
// one JSON object, or NDJSON lines ending with `"done":true` (streaming is the default when
// `stream` is absent), tool calls with object `arguments`, `GET /api/tags`, and errors shaped
// {"error":"..."}. Ollama has no authentication.
#include <ctime>

#include "fakes/personality.h"

namespace osprey::fakes {

namespace {

using nlohmann::json;

std::string now_rfc3339() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
  return std::string(buf, n);
}

std::string without_latest(std::string name) {
  constexpr std::string_view kLatest = ":latest";
  if (name.size() > kLatest.size() && name.ends_with(kLatest))
    name.resize(name.size() - kLatest.size());
  return name;
}

class OllamaPersonality final : public Personality {
 public:
  explicit OllamaPersonality(PersonalityOptions options)
      : options_(std::move(options)), check_models_(!options_.models.empty()) {
    if (options_.models.empty()) options_.models = {"llama3.2:latest", "qwen2.5:0.5b"};
    json models = json::array();
    for (const auto& m : options_.models) {
      const std::string name = m.find(':') == std::string::npos ? m + ":latest" : m;
      models.push_back(
          {{"name", name},
           {"model", name},
           {"modified_at", "2024-10-01T12:00:00.000000000Z"},
           {"size", 2019393189},
           {"digest", "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72"},
           {"details",
            {{"parent_model", ""},
             {"format", "gguf"},
             {"family", "llama"},
             {"families", json::array({"llama"})},
             {"parameter_size", "3.2B"},
             {"quantization_level", "Q4_K_M"}}}});
    }
    tags_body_ = json{{"models", models}}.dump();
  }

  Vendor vendor() const override { return Vendor::kOllama; }

  Route classify(const RecordedRequest& req) const override {
    if (req.method == "POST" && req.path == "/api/chat") return Route::kChat;
    if (req.method == "GET" && req.path == "/api/tags") return Route::kProbe;
    return Route::kUnknown;
  }

  std::optional<Reply> check_auth(const RecordedRequest&) const override { return std::nullopt; }

  std::variant<ParsedChat, Reply> parse_chat(const RecordedRequest& req) const override {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return error(400, "invalid character looking for beginning of value");
    }
    ParsedChat chat;
    if (!body.contains("model") || !body["model"].is_string() || body["model"] == "") {
      return error(400, "model is required");
    }
    chat.model = body["model"].get<std::string>();
    if (check_models_ && !known_model(chat.model)) {
      return error(404, "model \"" + chat.model + "\" not found, try pulling it first");
    }
    auto messages = body.find("messages");
    if (messages == body.end() || !messages->is_array() || messages->empty()) {
      return error(400, "messages is required");
    }
    for (const auto& m : *messages) {
      if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
        return error(400, "json: cannot unmarshal message: missing role");
      }
      const std::string text = m.contains("content") ? text_of(m["content"]) : "";
      chat.turn.input_words += count_words(text);
      if (m["role"] == "user") chat.turn.last_user_text = text;
      chat.turn.last_is_tool_result = m["role"] == "tool";
      if (chat.turn.last_is_tool_result) chat.turn.tool_result_text = text;
    }
    auto tools = body.find("tools");
    if (tools != body.end() && tools->is_array() && !tools->empty()) {
      const json& t = (*tools)[0];
      const json fn = t.is_object() ? t.value("function", json()) : json();
      if (!fn.is_object() || !fn.contains("name") || !fn["name"].is_string()) {
        return error(400, "json: cannot unmarshal tool: missing function name");
      }
      chat.turn.first_tool = OfferedTool{fn["name"].get<std::string>(),
                                         fn.contains("parameters") ? fn["parameters"] : json()};
    }
    // Ollama streams unless told otherwise.
    chat.stream = !body.contains("stream") || json_true(body, "stream");
    return chat;
  }

  Reply error(int status, std::string_view message) const override {
    return {status,
            {{"Content-Type", "application/json; charset=utf-8"}},
            json{{"error", message}}.dump()};
  }

  std::string stream_error(std::string_view message) const override {
    return json{{"error", message}}.dump() + "\n";
  }

  Reply probe() const override {
    return {200, {{"Content-Type", "application/json; charset=utf-8"}}, tags_body_};
  }

  Reply complete(const ParsedChat& chat, const ScriptedAnswer& a, std::uint64_t) const override {
    json out = line(chat, message(a));
    add_final_fields(out, a);
    return {200, {{"Content-Type", "application/json; charset=utf-8"}}, out.dump()};
  }

  StreamPlan stream(const ParsedChat& chat, const ScriptedAnswer& a, std::uint64_t) const override {
    StreamPlan plan;
    plan.headers = {{"Content-Type", "application/x-ndjson"}};
    if (a.kind == ScriptedAnswer::Kind::kToolCall) {
      json l = line(chat, message(a));
      l["done"] = false;
      plan.chunks.push_back(l.dump() + "\n");
    } else {
      for (const auto& piece : a.pieces) {
        json l = line(chat, {{"role", "assistant"}, {"content", piece}});
        l["done"] = false;
        plan.chunks.push_back(l.dump() + "\n");
      }
    }
    json last = line(chat, {{"role", "assistant"}, {"content", ""}});
    add_final_fields(last, a);
    plan.chunks.push_back(last.dump() + "\n");
    return plan;
  }

 private:
  bool known_model(const std::string& model) const {
    for (const auto& m : options_.models) {
      if (without_latest(m) == without_latest(model)) return true;
    }
    return false;
  }

  static json message(const ScriptedAnswer& a) {
    if (a.kind == ScriptedAnswer::Kind::kToolCall) {
      return {
          {"role", "assistant"},
          {"content", ""},
          {"tool_calls",
           json::array({json{{"function", {{"name", a.tool_name}, {"arguments", a.arguments}}}}})}};
    }
    return {{"role", "assistant"}, {"content", a.text}};
  }

  static json line(const ParsedChat& chat, json msg) {
    return {{"model", chat.model}, {"created_at", now_rfc3339()}, {"message", std::move(msg)}};
  }

  // Durations are nanoseconds, as Ollama reports them.
  static void add_final_fields(json& out, const ScriptedAnswer& a) {
    out["done_reason"] = "stop";
    out["done"] = true;
    out["total_duration"] = 1'000'000 + 1'000 * (a.input_tokens + a.output_tokens);
    out["load_duration"] = 100'000;
    out["prompt_eval_count"] = a.input_tokens;
    out["prompt_eval_duration"] = 1'000 * a.input_tokens;
    out["eval_count"] = a.output_tokens;
    out["eval_duration"] = 1'000 * a.output_tokens;
  }

  PersonalityOptions options_;
  bool check_models_;
  std::string tags_body_;
};

}  // namespace

std::unique_ptr<Personality> make_ollama_personality(const PersonalityOptions& options) {
  return std::make_unique<OllamaPersonality>(options);
}

}  // namespace osprey::fakes
