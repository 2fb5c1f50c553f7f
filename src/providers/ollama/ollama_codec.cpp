#include "providers/ollama/ollama_codec.h"

#include <ctime>
#include <map>

#include "core/json_parse.h"
#include "providers/base64.h"

namespace osprey::providers::ollama {
namespace {

using nlohmann::json;

std::string tool_result_text(const ToolResultBlock& result) {
  std::string text;
  for (const auto& part : result.content) {
    text += part.kind == ToolResultPart::Kind::kText ? part.text : part.json.dump();
  }
  return text;
}

}  // namespace

StopReason parse_done_reason(std::string_view reason, bool saw_tool_call) {
  if (reason == "length") return StopReason::kMaxTokens;
  // Ollama reports "stop" after tool calls too; the calls are what the caller must act on.
  if (saw_tool_call) return StopReason::kToolUse;
  if (reason == "stop") return StopReason::kEndTurn;
  return StopReason::kUnknown;
}

namespace {

// "2023-08-04T19:22:45.499127Z" → unix seconds (fraction and zone offset beyond Z ignored).
std::int64_t parse_created_at(const std::string& s) {
  std::tm tm{};
  if (strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

json parse_tool_arguments(const json& fn) {
  auto a = fn.find("arguments");
  if (a == fn.end() || a->is_null()) return json::object();
  if (a->is_string()) {
    auto parsed = parse_json(a->get<std::string>());
    return parsed.is_discarded() ? *a : parsed;
  }
  return *a;
}

Result<json> build_chat_request(const ChatRequest& request) {
  std::map<std::string, std::string> tool_names;  // tool_use id → name, for role "tool"
  json messages = json::array();
  for (const auto& s : request.system) messages.push_back({{"role", "system"}, {"content", s}});
  for (std::size_t m = 0; m < request.messages.size(); ++m) {
    const Message& msg = request.messages[m];
    std::string text;
    json images = json::array();
    json calls = json::array();
    for (std::size_t b = 0; b < msg.content.size(); ++b) {
      const ContentBlock& block = msg.content[b];
      if (const auto* t = std::get_if<TextBlock>(&block)) {
        text += t->text;
      } else if (const auto* i = std::get_if<ImageBlock>(&block)) {
        if (!i->url.empty()) {
          return make_error(ErrorCode::kInvalidRequest,
                            "messages[" + std::to_string(m) + "].content[" + std::to_string(b) +
                                "]: ollama accepts only inline (base64) images, not URLs");
        }
        images.push_back(base64_encode(i->data));
      } else if (const auto* tool = std::get_if<ToolUseBlock>(&block)) {
        tool_names[tool->id] = tool->name;
        calls.push_back({{"function", {{"name", tool->name}, {"arguments", tool->input}}}});
      } else if (const auto* r = std::get_if<ToolResultBlock>(&block)) {
        json out = {{"role", "tool"}, {"content", tool_result_text(*r)}};
        if (auto it = tool_names.find(r->tool_use_id); it != tool_names.end()) {
          out["tool_name"] = it->second;
        }
        messages.push_back(std::move(out));
      }
    }
    if (text.empty() && images.empty() && calls.empty()) continue;  // only tool results
    json out = {{"role", msg.role == Role::kUser ? "user" : "assistant"}, {"content", text}};
    if (!images.empty()) out["images"] = std::move(images);
    if (!calls.empty()) out["tool_calls"] = std::move(calls);
    messages.push_back(std::move(out));
  }

  json body = {
      {"model", request.model}, {"messages", std::move(messages)}, {"stream", request.stream}};
  const bool tools_off =
      request.tool_choice && request.tool_choice->kind == ToolChoice::Kind::kNone;
  if (!request.tools.empty() && !tools_off) {
    json tools = json::array();
    for (const auto& t : request.tools) {
      tools.push_back(
          {{"type", "function"},
           {"function",
            {{"name", t.name}, {"description", t.description}, {"parameters", t.input_schema}}}});
    }
    body["tools"] = std::move(tools);
  }
  if (request.response_format) {
    if (request.response_format->kind == ResponseFormat::Kind::kJsonObject) {
      body["format"] = "json";
    } else if (request.response_format->kind == ResponseFormat::Kind::kJsonSchema) {
      body["format"] = request.response_format->schema;
    }
  }

  json options = json::object();
  if (request.provider_options.is_object()) {
    for (auto it = request.provider_options.begin(); it != request.provider_options.end(); ++it) {
      if (it.key() == "keep_alive" || it.key() == "think") {
        body[it.key()] = it.value();
      } else {
        options[it.key()] = it.value();
      }
    }
  }
  const InferenceConfig& inf = request.inference;
  if (inf.temperature) options["temperature"] = *inf.temperature;
  if (inf.top_p) options["top_p"] = *inf.top_p;
  if (inf.max_tokens) options["num_predict"] = *inf.max_tokens;
  if (inf.seed) options["seed"] = *inf.seed;
  if (!inf.stop.empty()) options["stop"] = inf.stop;
  if (!options.empty()) body["options"] = std::move(options);
  return body;
}

Result<ChatResponse> parse_chat_response(std::string_view body) {
  auto bad = [](const std::string& what) {
    return malformed_upstream_body("ollama", what).to_error();
  };
  const json doc = parse_json(body);
  if (!doc.is_object()) return bad("not a JSON object: " + body_excerpt(body));
  try {
    auto message = doc.find("message");
    if (message == doc.end() || !message->is_object()) return bad("missing message");
    ChatResponse out;
    out.model = doc.value("model", "");
    out.created = parse_created_at(doc.value("created_at", ""));
    const std::string content = message->value("content", "");
    if (!content.empty()) out.content.emplace_back(TextBlock{content});
    bool saw_tool_call = false;
    if (auto calls = message->find("tool_calls"); calls != message->end() && calls->is_array()) {
      for (std::size_t i = 0; i < calls->size(); ++i) {
        const json fn = (*calls)[i].value("function", json::object());
        saw_tool_call = true;
        out.content.emplace_back(ToolUseBlock{(*calls)[i].value("id", "call_" + std::to_string(i)),
                                              fn.value("name", ""), parse_tool_arguments(fn)});
      }
    }
    out.stop_reason = parse_done_reason(doc.value("done_reason", ""), saw_tool_call);
    out.usage.input_tokens = doc.value("prompt_eval_count", std::int64_t{0});
    out.usage.output_tokens = doc.value("eval_count", std::int64_t{0});
    return out;
  } catch (const json::exception& e) {
    return bad(e.what());
  }
}

Result<std::vector<std::string>> parse_tags(std::string_view body) {
  const json doc = parse_json(body);
  if (!doc.is_object() || !doc.contains("models") || !doc["models"].is_array()) {
    return malformed_upstream_body("ollama", "/api/tags: " + body_excerpt(body)).to_error();
  }
  std::vector<std::string> names;
  for (const auto& model : doc["models"]) {
    if (model.is_object() && model.contains("name") && model["name"].is_string()) {
      names.push_back(model["name"].get<std::string>());
    }
  }
  return names;
}

UpstreamError parse_error(int http_status, std::string_view body, const RetryHints& hints,
                          std::chrono::system_clock::time_point now) {
  std::string message;
  const json doc = parse_json(body);
  if (doc.is_object()) {
    if (auto e = doc.find("error"); e != doc.end() && e->is_string())
      message = e->get<std::string>();
  }
  if (message.empty()) {
    message =
        "HTTP " + std::to_string(http_status) + " with unrecognized body: " + body_excerpt(body);
  }
  return upstream_error_from_status(http_status, "ollama: " + message, hints, now);
}

}  // namespace osprey::providers::ollama
