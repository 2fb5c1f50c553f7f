// Anthropic Messages API as documented at docs.anthropic.com/en/api/messages and
// /en/docs/build-with-claude/streaming: `message` objects, the SSE event sequence
// message_start, content_block_start, ping, content_block_delta (text_delta /
// input_json_delta), content_block_stop, message_delta, message_stop, and errors shaped
// {"type":"error","error":{"type","message"}} (529 overloaded_error included).
#include "fakes/personality.h"

namespace osprey::fakes {

namespace {

using nlohmann::json;

std::string sse(std::string_view event, const json& data) {
  return "event: " + std::string(event) + "\ndata: " + data.dump() + "\n\n";
}

std::string anthropic_error_type_for(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

class AnthropicPersonality final : public Personality {
 public:
  explicit AnthropicPersonality(PersonalityOptions options) : options_(std::move(options)) {
    if (options_.models.empty())
      options_.models = {"claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"};
    json data = json::array();
    for (const auto& m : options_.models) {
      data.push_back({{"type", "model"},
                      {"id", m},
                      {"display_name", m},
                      {"created_at", "2025-05-22T00:00:00Z"}});
    }
    models_body_ = json{{"data", data},
                        {"has_more", false},
                        {"first_id", options_.models.front()},
                        {"last_id", options_.models.back()}}
                       .dump();
  }

  Vendor vendor() const override { return Vendor::kAnthropic; }

  Route classify(const RecordedRequest& req) const override {
    if (req.method == "POST" && req.path == "/v1/messages") return Route::kChat;
    if (req.method == "GET" && req.path == "/v1/models") return Route::kProbe;
    return Route::kUnknown;
  }

  std::optional<Reply> check_auth(const RecordedRequest& req) const override {
    const std::string key = req.header("x-api-key");
    if (key.empty()) return error(401, "x-api-key header is required");
    if (!options_.api_key.empty() && key != options_.api_key) {
      return error(401, "invalid x-api-key");
    }
    if (req.header("anthropic-version").empty()) {
      return error(400, "anthropic-version: header is required");
    }
    return std::nullopt;
  }

  std::variant<ParsedChat, Reply> parse_chat(const RecordedRequest& req) const override {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return error(400, "There was an error parsing the body of your request: invalid JSON");
    }
    ParsedChat chat;
    if (!body.contains("model") || !body["model"].is_string()) {
      return error(400, "model: Field required");
    }
    chat.model = body["model"].get<std::string>();
    if (!body.contains("max_tokens") || !body["max_tokens"].is_number_integer()) {
      return error(400, "max_tokens: Field required");
    }
    auto messages = body.find("messages");
    if (messages == body.end() || !messages->is_array() || messages->empty()) {
      return error(400, "messages: Field required");
    }
    if (body.contains("system")) chat.turn.input_words += count_words(text_of(body["system"]));
    for (const auto& m : *messages) {
      if (!m.is_object() || !m.contains("role") || !m.contains("content")) {
        return error(400, "messages: each message needs 'role' and 'content'");
      }
      const json& content = m["content"];
      chat.turn.last_is_tool_result = false;
      if (content.is_array()) {
        for (const auto& block : content) {
          if (block.is_object() && block.value("type", json()) == "tool_result") {
            chat.turn.last_is_tool_result = true;
            chat.turn.tool_result_text = text_of(block.value("content", json()));
            chat.turn.input_words += count_words(chat.turn.tool_result_text);
          }
        }
      }
      const std::string text = text_of(content);
      chat.turn.input_words += count_words(text);
      if (m["role"] == "user" && !chat.turn.last_is_tool_result) chat.turn.last_user_text = text;
    }
    auto tools = body.find("tools");
    const bool tools_disabled = body.contains("tool_choice") && body["tool_choice"].is_object() &&
                                body["tool_choice"].value("type", json()) == "none";
    if (tools != body.end() && tools->is_array() && !tools->empty() && !tools_disabled) {
      const json& t = (*tools)[0];
      if (!t.is_object() || !t.contains("name") || !t["name"].is_string()) {
        return error(400, "tools.0.name: Field required");
      }
      chat.turn.first_tool = OfferedTool{t["name"].get<std::string>(),
                                         t.contains("input_schema") ? t["input_schema"] : json()};
    }
    chat.stream = json_true(body, "stream");
    return chat;
  }

  Reply error(int status, std::string_view message) const override {
    const json body = {
        {"type", "error"},
        {"error", {{"type", anthropic_error_type_for(status)}, {"message", message}}}};
    return {status, {{"Content-Type", "application/json"}}, body.dump()};
  }

  void add_retry_after(Reply& reply, int seconds) const override {
    reply.headers.emplace_back("retry-after", std::to_string(seconds));
  }

  // Documented: an `error` event such as overloaded_error can arrive mid-stream.
  std::string stream_error(std::string_view message) const override {
    return sse("error", json::parse(error(529, message).body));
  }

  Reply probe() const override {
    return {200, {{"Content-Type", "application/json"}}, models_body_};
  }

  Reply complete(const ParsedChat& chat, const ScriptedAnswer& a,
                 std::uint64_t seq) const override {
    json msg = message_head(chat, seq);
    msg["content"] = json::array({content_block(a, seq, true)});
    msg["stop_reason"] = stop_reason(a);
    msg["usage"] = {{"input_tokens", a.input_tokens},
                    {"cache_creation_input_tokens", 0},
                    {"cache_read_input_tokens", 0},
                    {"output_tokens", a.output_tokens}};
    return {200, headers(seq, "application/json"), msg.dump()};
  }

  StreamPlan stream(const ParsedChat& chat, const ScriptedAnswer& a,
                    std::uint64_t seq) const override {
    StreamPlan plan;
    plan.headers = headers(seq, "text/event-stream; charset=utf-8");
    plan.headers.emplace_back("Cache-Control", "no-cache");
    json start = message_head(chat, seq);
    start["content"] = json::array();
    start["stop_reason"] = nullptr;
    start["usage"] = {{"input_tokens", a.input_tokens}, {"output_tokens", 1}};
    plan.chunks.push_back(sse("message_start", {{"type", "message_start"}, {"message", start}}));
    plan.chunks.push_back(
        sse("content_block_start", {{"type", "content_block_start"},
                                    {"index", 0},
                                    {"content_block", content_block(a, seq, false)}}));
    plan.chunks.push_back(sse("ping", {{"type", "ping"}}));
    auto delta = [&](const json& d) {
      plan.chunks.push_back(sse("content_block_delta",
                                {{"type", "content_block_delta"}, {"index", 0}, {"delta", d}}));
    };
    if (a.kind == ScriptedAnswer::Kind::kToolCall) {
      const std::string args = a.arguments.dump();
      constexpr std::size_t kStep = 8;
      for (std::size_t i = 0; i < args.size(); i += kStep) {
        delta({{"type", "input_json_delta"}, {"partial_json", args.substr(i, kStep)}});
      }
    } else {
      for (const auto& piece : a.pieces) delta({{"type", "text_delta"}, {"text", piece}});
    }
    plan.chunks.push_back(
        sse("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
    plan.chunks.push_back(sse(
        "message_delta", {{"type", "message_delta"},
                          {"delta", {{"stop_reason", stop_reason(a)}, {"stop_sequence", nullptr}}},
                          {"usage", {{"output_tokens", a.output_tokens}}}}));
    plan.chunks.push_back(sse("message_stop", {{"type", "message_stop"}}));
    return plan;
  }

 private:
  static json message_head(const ParsedChat& chat, std::uint64_t seq) {
    return {{"id", "msg_fake" + std::to_string(seq)},
            {"type", "message"},
            {"role", "assistant"},
            {"model", chat.model},
            {"stop_sequence", nullptr}};
  }

  // `complete`: the whole block; otherwise the empty block that opens a stream.
  static json content_block(const ScriptedAnswer& a, std::uint64_t seq, bool complete) {
    if (a.kind == ScriptedAnswer::Kind::kToolCall) {
      return {{"type", "tool_use"},
              {"id", "toolu_fake" + std::to_string(seq)},
              {"name", a.tool_name},
              {"input", complete ? a.arguments : json::object()}};
    }
    return {{"type", "text"}, {"text", complete ? a.text : ""}};
  }

  static std::string stop_reason(const ScriptedAnswer& a) {
    return a.kind == ScriptedAnswer::Kind::kToolCall ? "tool_use" : "end_turn";
  }

  static HeaderList headers(std::uint64_t seq, std::string_view content_type) {
    return {{"Content-Type", std::string(content_type)},
            {"request-id", "req_fake" + std::to_string(seq)}};
  }

  PersonalityOptions options_;
  std::string models_body_;
};

}  // namespace

std::unique_ptr<Personality> make_anthropic_personality(const PersonalityOptions& options) {
  return std::make_unique<AnthropicPersonality>(options);
}

}  // namespace osprey::fakes
