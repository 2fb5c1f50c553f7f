#include "providers/openai/openai_upstream_codec.h"

#include "providers/base64.h"
#include "providers/overloaded.h"

namespace osprey::providers::openai {
namespace {

using nlohmann::json;

std::string tool_result_text(const ToolResultBlock& result) {
  std::string text;
  for (const auto& part : result.content) {
    text += part.kind == ToolResultPart::Kind::kText ? part.text : part.json.dump();
  }
  return text;
}

json image_part(const ImageBlock& image) {
  const std::string url = !image.url.empty()
                              ? image.url
                              : "data:" + image.media_type + ";base64," + base64_encode(image.data);
  return {{"type", "image_url"}, {"image_url", {{"url", url}}}};
}

void append_user(const Message& msg, json& out) {
  // OpenAI carries tool results as separate role "tool" messages, before the user's own content.
  json parts = json::array();
  bool only_text = true;
  for (const auto& block : msg.content) {
    std::visit(Overloaded{
                   [&](const TextBlock& t) {
                     parts.push_back({{"type", "text"}, {"text", t.text}});
                   },
                   [&](const ImageBlock& i) {
                     only_text = false;
                     parts.push_back(image_part(i));
                   },
                   [&](const ToolUseBlock&) {},
                   [&](const ToolResultBlock& r) {
                     out.push_back({{"role", "tool"},
                                    {"tool_call_id", r.tool_use_id},
                                    {"content", tool_result_text(r)}});
                   },
               },
               block);
  }
  if (parts.empty()) return;
  if (only_text && parts.size() == 1) {
    out.push_back({{"role", "user"}, {"content", parts[0]["text"]}});
  } else {
    out.push_back({{"role", "user"}, {"content", std::move(parts)}});
  }
}

void append_assistant(const Message& msg, json& out) {
  std::string text;
  bool has_text = false;
  json calls = json::array();
  for (const auto& block : msg.content) {
    if (const auto* t = std::get_if<TextBlock>(&block)) {
      text += t->text;
      has_text = true;
    } else if (const auto* tool = std::get_if<ToolUseBlock>(&block)) {
      calls.push_back({{"id", tool->id},
                       {"type", "function"},
                       {"function",
                        {{"name", tool->name},
                         {"arguments", tool->input.is_string() ? tool->input.get<std::string>()
                                                               : tool->input.dump()}}}});
    }
  }
  json m = {{"role", "assistant"}, {"content", has_text ? json(text) : json(nullptr)}};
  if (!calls.empty()) m["tool_calls"] = std::move(calls);
  out.push_back(std::move(m));
}

}  // namespace

json build_chat_request(const ChatRequest& request) {
  json body = json::object();
  body["model"] = request.model;
  json messages = json::array();
  for (const auto& s : request.system) messages.push_back({{"role", "system"}, {"content", s}});
  for (const auto& msg : request.messages) {
    if (msg.role == Role::kUser) {
      append_user(msg, messages);
    } else {
      append_assistant(msg, messages);
    }
  }
  body["messages"] = std::move(messages);

  if (!request.tools.empty()) {
    json tools = json::array();
    for (const auto& t : request.tools) {
      json fn = {{"name", t.name}, {"parameters", t.input_schema}};
      if (!t.description.empty()) fn["description"] = t.description;
      tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
    }
    body["tools"] = std::move(tools);
  }
  if (request.tool_choice) {
    switch (request.tool_choice->kind) {
      case ToolChoice::Kind::kAuto:
        body["tool_choice"] = "auto";
        break;
      case ToolChoice::Kind::kNone:
        body["tool_choice"] = "none";
        break;
      case ToolChoice::Kind::kRequired:
        body["tool_choice"] = "required";
        break;
      case ToolChoice::Kind::kTool:
        body["tool_choice"] = {{"type", "function"},
                               {"function", {{"name", request.tool_choice->name}}}};
        break;
    }
  }
  const InferenceConfig& inf = request.inference;
  if (inf.temperature) body["temperature"] = *inf.temperature;
  if (inf.top_p) body["top_p"] = *inf.top_p;
  // max_tokens, not max_completion_tokens: the form every compatible server understands.
  if (inf.max_tokens) body["max_tokens"] = *inf.max_tokens;
  if (!inf.stop.empty()) body["stop"] = inf.stop;
  if (inf.seed) body["seed"] = *inf.seed;
  if (request.response_format) {
    const ResponseFormat& rf = *request.response_format;
    if (rf.kind == ResponseFormat::Kind::kText) {
      body["response_format"] = {{"type", "text"}};
    } else if (rf.kind == ResponseFormat::Kind::kJsonObject) {
      body["response_format"] = {{"type", "json_object"}};
    } else {
      json js = {{"name", rf.name}, {"strict", rf.strict}};
      if (!rf.schema.is_null()) js["schema"] = rf.schema;
      body["response_format"] = {{"type", "json_schema"}, {"json_schema", std::move(js)}};
    }
  }
  if (!request.user.empty()) body["user"] = request.user;
  body["stream"] = request.stream;
  if (request.stream) body["stream_options"] = {{"include_usage", true}};
  if (request.extra.is_object()) {
    for (auto it = request.extra.begin(); it != request.extra.end(); ++it) {
      if (!body.contains(it.key())) body[it.key()] = it.value();
    }
  }
  return body;
}

StopReason parse_finish_reason(std::string_view reason) {
  if (reason == "stop") return StopReason::kEndTurn;
  if (reason == "length") return StopReason::kMaxTokens;
  if (reason == "tool_calls" || reason == "function_call") return StopReason::kToolUse;
  if (reason == "content_filter") return StopReason::kContentFilter;
  return StopReason::kUnknown;
}

namespace {
Result<ChatResponse> parse_response_json(const json& body) {
  auto bad = [](const std::string& what) {
    return malformed_upstream_body("openai", what).to_error();
  };
  if (!body.is_object()) return bad("expected a JSON object");
  auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return bad("missing choices[0]");
  }
  const json& choice = (*choices)[0];
  auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) return bad("missing choices[0].message");

  ChatResponse out;
  out.id = body.value("id", "");
  out.model = body.value("model", "");
  if (auto c = body.find("created"); c != body.end() && c->is_number_integer()) {
    out.created = c->get<std::int64_t>();
  }
  if (auto c = message->find("content");
      c != message->end() && c->is_string() && !c->get_ref<const std::string&>().empty()) {
    out.content.emplace_back(TextBlock{c->get<std::string>()});
  }
  if (auto calls = message->find("tool_calls"); calls != message->end() && calls->is_array()) {
    for (const auto& call : *calls) {
      if (!call.is_object() || !call.contains("function") || !call["function"].is_object()) {
        return bad("tool_calls entry without function");
      }
      const json& fn = call["function"];
      ToolUseBlock tool{call.value("id", ""), fn.value("name", ""), json::object()};
      if (auto a = fn.find("arguments"); a != fn.end()) {
        if (a->is_string()) {
          auto parsed = json::parse(a->get<std::string>(), nullptr, false);
          tool.input = parsed.is_discarded() ? *a : std::move(parsed);
        } else if (a->is_object()) {
          tool.input = *a;
        }
      }
      out.content.emplace_back(std::move(tool));
    }
  }
  if (auto f = choice.find("finish_reason"); f != choice.end() && f->is_string()) {
    out.stop_reason = parse_finish_reason(f->get<std::string>());
  }
  if (auto u = body.find("usage"); u != body.end() && u->is_object()) {
    out.usage.input_tokens = u->value("prompt_tokens", std::int64_t{0});
    out.usage.output_tokens = u->value("completion_tokens", std::int64_t{0});
  }
  return out;
}
}  // namespace

Result<ChatResponse> parse_chat_response(std::string_view body) {
  auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return malformed_upstream_body("openai", "not JSON: " + body_excerpt(body)).to_error();
  }
  try {
    return parse_response_json(parsed);
  } catch (const json::exception& e) {  // a field of an unexpected type
    return malformed_upstream_body("openai", e.what()).to_error();
  }
}

UpstreamError parse_error(int http_status, std::string_view body, const RetryHints& hints,
                          std::chrono::system_clock::time_point now) {
  std::string message;
  auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    const json* err = &parsed;
    if (auto e = parsed.find("error"); e != parsed.end()) {
      if (e->is_string()) message = e->get<std::string>();
      if (e->is_object()) err = &*e;
    }
    if (message.empty()) {
      if (auto m = err->find("message"); m != err->end() && m->is_string()) {
        message = m->get<std::string>();
      }
      if (auto t = err->find("type"); t != err->end() && t->is_string() && !message.empty()) {
        message = t->get<std::string>() + ": " + message;
      }
    }
  }
  if (message.empty()) {
    message =
        "HTTP " + std::to_string(http_status) + " with unrecognized body: " + body_excerpt(body);
  }
  return upstream_error_from_status(http_status, "openai upstream: " + message, hints, now);
}

}  // namespace osprey::providers::openai
