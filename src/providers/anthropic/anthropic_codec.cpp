#include "providers/anthropic/anthropic_codec.h"

#include <algorithm>

#include "core/json_parse.h"
#include "providers/base64.h"
#include "providers/overloaded.h"

namespace osprey::providers::anthropic {
namespace {

using nlohmann::json;

json render_block(const ContentBlock& block) {
  return std::visit(
      Overloaded{
          [](const TextBlock& t) -> json {
            return {{"type", "text"}, {"text", t.text}};
          },
          [](const ImageBlock& i) -> json {
            if (!i.url.empty()) {
              return {{"type", "image"}, {"source", {{"type", "url"}, {"url", i.url}}}};
            }
            return {{"type", "image"},
                    {"source",
                     {{"type", "base64"},
                      {"media_type", i.media_type},
                      {"data", base64_encode(i.data)}}}};
          },
          [](const ToolUseBlock& t) -> json {
            // input must be an object; arguments that never parsed are kept visible, not lost.
            json input = t.input.is_object() ? t.input : json{{"raw_arguments", t.input}};
            return {{"type", "tool_use"}, {"id", t.id}, {"name", t.name}, {"input", input}};
          },
          [](const ToolResultBlock& r) -> json {
            json content = json::array();
            for (const auto& part : r.content) {
              content.push_back(
                  {{"type", "text"},
                   {"text",
                    part.kind == ToolResultPart::Kind::kText ? part.text : part.json.dump()}});
            }
            json out = {{"type", "tool_result"},
                        {"tool_use_id", r.tool_use_id},
                        {"content", std::move(content)}};
            if (r.is_error) out["is_error"] = true;
            return out;
          },
      },
      block);
}

json render_messages(const std::vector<Message>& messages) {
  json out = json::array();
  for (const auto& msg : messages) {
    const char* role = msg.role == Role::kUser ? "user" : "assistant";
    if (out.empty() || out.back()["role"] != role) {
      out.push_back({{"role", role}, {"content", json::array()}});
    }
    for (const auto& block : msg.content) out.back()["content"].push_back(render_block(block));
  }
  for (auto& m : out) {
    auto& content = m["content"];
    std::stable_partition(content.begin(), content.end(),
                          [](const json& b) { return b["type"] == "tool_result"; });
  }
  return out;
}

}  // namespace

json build_messages_request(const ChatRequest& request) {
  json body = json::object();
  body["model"] = request.model;
  body["max_tokens"] = request.inference.max_tokens.value_or(kDefaultMaxTokens);
  if (request.system.size() == 1) {
    body["system"] = request.system[0];
  } else if (!request.system.empty()) {
    json system = json::array();
    for (const auto& s : request.system) system.push_back({{"type", "text"}, {"text", s}});
    body["system"] = std::move(system);
  }
  body["messages"] = render_messages(request.messages);
  if (!request.tools.empty()) {
    json tools = json::array();
    for (const auto& t : request.tools) {
      json tool = {{"name", t.name}, {"input_schema", t.input_schema}};
      if (!t.description.empty()) tool["description"] = t.description;
      tools.push_back(std::move(tool));
    }
    body["tools"] = std::move(tools);
  }
  if (request.tool_choice) {
    switch (request.tool_choice->kind) {
      case ToolChoice::Kind::kAuto:
        body["tool_choice"] = {{"type", "auto"}};
        break;
      case ToolChoice::Kind::kNone:
        body["tool_choice"] = {{"type", "none"}};
        break;
      case ToolChoice::Kind::kRequired:
        body["tool_choice"] = {{"type", "any"}};
        break;
      case ToolChoice::Kind::kTool:
        body["tool_choice"] = {{"type", "tool"}, {"name", request.tool_choice->name}};
        break;
    }
  }
  const InferenceConfig& inf = request.inference;
  if (inf.temperature) body["temperature"] = *inf.temperature;
  if (inf.top_p) body["top_p"] = *inf.top_p;
  if (!inf.stop.empty()) body["stop_sequences"] = inf.stop;
  if (auto k = request.provider_options.find("top_k"); k != request.provider_options.end()) {
    body["top_k"] = *k;
  }
  if (!request.user.empty()) body["metadata"] = {{"user_id", request.user}};
  if (request.stream) body["stream"] = true;
  return body;
}

StopReason parse_stop_reason(std::string_view reason) {
  if (reason == "end_turn") return StopReason::kEndTurn;
  if (reason == "max_tokens") return StopReason::kMaxTokens;
  if (reason == "stop_sequence") return StopReason::kStopSequence;
  if (reason == "tool_use") return StopReason::kToolUse;
  if (reason == "refusal") return StopReason::kContentFilter;
  return StopReason::kUnknown;
}

Result<ChatResponse> parse_messages_response(std::string_view body) {
  const json doc = parse_json(body);
  if (!doc.is_object()) {
    return malformed_upstream_body("anthropic", "not a JSON object: " + body_excerpt(body))
        .to_error();
  }
  return messages_response_from_json(doc);
}

Result<ChatResponse> messages_response_from_json(const json& doc) {
  auto bad = [](const std::string& what) {
    return malformed_upstream_body("anthropic", what).to_error();
  };
  if (!doc.is_object()) return bad("not a JSON object: " + body_excerpt(doc.dump()));
  try {
    auto content = doc.find("content");
    if (content == doc.end() || !content->is_array()) return bad("missing content array");
    ChatResponse out;
    out.id = doc.value("id", "");
    out.model = doc.value("model", "");
    for (const auto& block : *content) {
      const std::string type = block.value("type", "");
      if (type == "text") {
        out.content.emplace_back(TextBlock{block.value("text", "")});
      } else if (type == "tool_use") {
        out.content.emplace_back(ToolUseBlock{block.value("id", ""), block.value("name", ""),
                                              block.value("input", json::object())});
      }  // thinking and other block types are not part of the normalized answer
    }
    if (auto r = doc.find("stop_reason"); r != doc.end() && r->is_string()) {
      out.stop_reason = parse_stop_reason(r->get<std::string>());
    }
    if (auto u = doc.find("usage"); u != doc.end() && u->is_object()) {
      out.usage.input_tokens = u->value("input_tokens", std::int64_t{0});
      out.usage.output_tokens = u->value("output_tokens", std::int64_t{0});
    }
    return out;
  } catch (const json::exception& e) {
    return bad(e.what());
  }
}

int status_for_error_type(std::string_view type) {
  if (type == "invalid_request_error") return 400;
  if (type == "authentication_error") return 401;
  if (type == "permission_error") return 403;
  if (type == "not_found_error") return 404;
  if (type == "request_too_large") return 413;
  if (type == "rate_limit_error") return 429;
  if (type == "timeout_error") return 504;
  if (type == "overloaded_error") return 529;
  return 500;  // api_error and anything new
}

UpstreamError parse_error(int http_status, std::string_view body, const RetryHints& hints,
                          std::chrono::system_clock::time_point now) {
  std::string message;
  std::string type;
  const json doc = parse_json(body);
  if (doc.is_object()) {
    if (auto e = doc.find("error"); e != doc.end() && e->is_object()) {
      if (auto t = e->find("type"); t != e->end() && t->is_string()) type = t->get<std::string>();
      if (auto m = e->find("message"); m != e->end() && m->is_string()) {
        message = m->get<std::string>();
      }
    }
  }
  if (message.empty() && type.empty()) {
    message =
        "HTTP " + std::to_string(http_status) + " with unrecognized body: " + body_excerpt(body);
  } else if (!type.empty()) {
    message = type + ": " + message;
  }
  const int status = http_status != 0 ? http_status : status_for_error_type(type);
  UpstreamError e = upstream_error_from_status(status, "anthropic: " + message, hints, now);
  e.http_status = http_status;
  return e;
}

}  // namespace osprey::providers::anthropic
