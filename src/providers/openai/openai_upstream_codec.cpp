#include "providers/openai/openai_upstream_codec.h"

#include <optional>
#include <utility>

#include "core/json_parse.h"
#include "providers/base64.h"
#include "providers/json_cursor.h"
#include "providers/json_text.h"
#include "providers/openai/openai_plain_fields.h"
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
  json image_url = {{"url", url}};
  if (!image.detail.empty()) image_url["detail"] = image.detail;
  return {{"type", "image_url"}, {"image_url", std::move(image_url)}};
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

namespace {

// Writes JSON text in dump()'s form; `ok` turns false on invalid UTF-8 (dump() would throw).
struct TextWriter {
  std::string out;
  bool ok = true;

  void str(std::string_view s) { ok = append_json_text(out, s) && ok; }
  void raw(std::string_view s) { out += s; }
  void key(std::string_view k) {  // `k` is a plain ASCII literal
    out += '"';
    out += k;
    out += std::string_view("\":");
  }
  void dom(const json& v) { out += v.dump(); }  // throws on invalid UTF-8, as dump() does
};

void write_tool_result_text(TextWriter& w, const ToolResultBlock& result) {
  w.str(tool_result_text(result));
}

void write_image_part(TextWriter& w, const ImageBlock& image) {
  w.raw(R"({"image_url":{)");
  if (!image.detail.empty()) {  // keys in nlohmann's (sorted) order: "detail" before "url"
    w.raw(R"("detail":)");
    w.str(image.detail);
    w.raw(",");
  }
  w.raw(R"("url":)");
  if (!image.url.empty()) {
    w.str(image.url);
  } else {
    w.str("data:" + image.media_type + ";base64," + base64_encode(image.data));
  }
  w.raw(R"(},"type":"image_url"})");
}

// One element or more of "messages"; `first` tracks the commas of the array.
void write_user(TextWriter& w, const Message& msg, bool& first) {
  const auto comma = [&] {
    if (!first) w.raw(",");
    first = false;
  };
  std::size_t parts = 0;
  bool only_text = true;
  const TextBlock* single = nullptr;
  for (const auto& block : msg.content) {
    if (const auto* t = std::get_if<TextBlock>(&block)) {
      ++parts;
      single = t;
    } else if (std::holds_alternative<ImageBlock>(block)) {
      ++parts;
      only_text = false;
    } else if (const auto* r = std::get_if<ToolResultBlock>(&block)) {
      comma();
      w.raw(R"({"content":)");
      write_tool_result_text(w, *r);
      w.raw(R"(,"role":"tool","tool_call_id":)");
      w.str(r->tool_use_id);
      w.raw("}");
    }
  }
  if (parts == 0) return;
  comma();
  w.raw(R"({"content":)");
  if (only_text && parts == 1) {
    w.str(single->text);
  } else {
    w.raw("[");
    bool first_part = true;
    for (const auto& block : msg.content) {
      if (const auto* t = std::get_if<TextBlock>(&block)) {
        if (!std::exchange(first_part, false)) w.raw(",");
        w.raw(R"({"text":)");
        w.str(t->text);
        w.raw(R"(,"type":"text"})");
      } else if (const auto* i = std::get_if<ImageBlock>(&block)) {
        if (!std::exchange(first_part, false)) w.raw(",");
        write_image_part(w, *i);
      }
    }
    w.raw("]");
  }
  w.raw(R"(,"role":"user"})");
}

void write_assistant(TextWriter& w, const Message& msg) {
  std::string text;
  bool has_text = false;
  bool has_calls = false;
  for (const auto& block : msg.content) {
    if (const auto* t = std::get_if<TextBlock>(&block)) {
      text += t->text;
      has_text = true;
    } else if (std::holds_alternative<ToolUseBlock>(block)) {
      has_calls = true;
    }
  }
  w.raw(R"({"content":)");
  if (has_text) {
    w.str(text);
  } else {
    w.raw("null");
  }
  w.raw(R"(,"role":"assistant")");
  if (has_calls) {
    w.raw(R"(,"tool_calls":[)");
    bool first = true;
    for (const auto& block : msg.content) {
      const auto* tool = std::get_if<ToolUseBlock>(&block);
      if (tool == nullptr) continue;
      if (!std::exchange(first, false)) w.raw(",");
      w.raw(R"({"function":{"arguments":)");
      w.str(tool->input.is_string() ? tool->input.get_ref<const std::string&>()
                                    : tool->input.dump());
      w.raw(R"(,"name":)");
      w.str(tool->name);
      w.raw(R"(},"id":)");
      w.str(tool->id);
      w.raw(R"(,"type":"function"})");
    }
    w.raw("]");
  }
  w.raw("}");
}

}  // namespace

std::string write_chat_request(const ChatRequest& request, std::string_view model, bool stream,
                               const json& extra) {
  const InferenceConfig& inf = request.inference;
  // The fields build_chat_request sets, in dump()'s (sorted) key order; `extra` keys are merged
  // in order and dropped when the field is set.
  struct Field {
    std::string_view key;
    bool present;
    void (*write)(TextWriter&, const ChatRequest&, std::string_view, bool);
  };
  const Field fields[] = {
      {"max_tokens", inf.max_tokens.has_value(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         append_json_integer(w.out, *r.inference.max_tokens);
       }},
      {"messages", true,
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         w.raw("[");
         bool first = true;
         for (const auto& s : r.system) {
           if (!std::exchange(first, false)) w.raw(",");
           w.raw(R"({"content":)");
           w.str(s);
           w.raw(R"(,"role":"system"})");
         }
         for (const auto& msg : r.messages) {
           if (msg.role == Role::kUser) {
             write_user(w, msg, first);
           } else {
             if (!std::exchange(first, false)) w.raw(",");
             write_assistant(w, msg);
           }
         }
         w.raw("]");
       }},
      {"model", true,
       [](TextWriter& w, const ChatRequest&, std::string_view m, bool) { w.str(m); }},
      {"response_format", request.response_format.has_value(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         const ResponseFormat& rf = *r.response_format;
         if (rf.kind == ResponseFormat::Kind::kText) {
           w.raw(R"({"type":"text"})");
         } else if (rf.kind == ResponseFormat::Kind::kJsonObject) {
           w.raw(R"({"type":"json_object"})");
         } else {
           w.raw(R"({"json_schema":{"name":)");
           w.str(rf.name);
           if (!rf.schema.is_null()) {
             w.raw(R"(,"schema":)");
             w.dom(rf.schema);
           }
           w.raw(rf.strict ? R"(,"strict":true})" : R"(,"strict":false})");
           w.raw(R"(,"type":"json_schema"})");
         }
       }},
      {"seed", inf.seed.has_value(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         append_json_integer(w.out, *r.inference.seed);
       }},
      {"stop", !inf.stop.empty(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         w.raw("[");
         bool first = true;
         for (const auto& s : r.inference.stop) {
           if (!std::exchange(first, false)) w.raw(",");
           w.str(s);
         }
         w.raw("]");
       }},
      {"stream", true,
       [](TextWriter& w, const ChatRequest&, std::string_view, bool s) {
         w.raw(s ? "true" : "false");
       }},
      {"stream_options", stream,
       [](TextWriter& w, const ChatRequest&, std::string_view, bool) {
         w.raw(R"({"include_usage":true})");
       }},
      {"temperature", inf.temperature.has_value(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         append_json_double(w.out, *r.inference.temperature);
       }},
      {"tool_choice", request.tool_choice.has_value(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         switch (r.tool_choice->kind) {
           case ToolChoice::Kind::kAuto:
             w.raw(R"("auto")");
             break;
           case ToolChoice::Kind::kNone:
             w.raw(R"("none")");
             break;
           case ToolChoice::Kind::kRequired:
             w.raw(R"("required")");
             break;
           case ToolChoice::Kind::kTool:
             w.raw(R"({"function":{"name":)");
             w.str(r.tool_choice->name);
             w.raw(R"(},"type":"function"})");
             break;
         }
       }},
      {"tools", !request.tools.empty(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         w.raw("[");
         bool first = true;
         for (const auto& t : r.tools) {
           if (!std::exchange(first, false)) w.raw(",");
           w.raw(R"({"function":{)");
           if (!t.description.empty()) {
             w.raw(R"("description":)");
             w.str(t.description);
             w.raw(",");
           }
           w.raw(R"("name":)");
           w.str(t.name);
           w.raw(R"(,"parameters":)");
           w.dom(t.input_schema);
           w.raw(R"(},"type":"function"})");
         }
         w.raw("]");
       }},
      {"top_p", inf.top_p.has_value(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) {
         append_json_double(w.out, *r.inference.top_p);
       }},
      {"user", !request.user.empty(),
       [](TextWriter& w, const ChatRequest& r, std::string_view, bool) { w.str(r.user); }},
  };

  TextWriter w;
  w.out.reserve(512);
  w.raw("{");
  bool first = true;
  const auto comma = [&] {
    if (!std::exchange(first, false)) w.raw(",");
  };
  const auto member = [&](std::string_view key) {  // an `extra` key, as the client wrote it
    comma();
    w.str(key);
    w.raw(":");
  };
  auto next_extra = extra.is_object() ? extra.begin() : json::const_iterator{};
  const auto extra_end = extra.is_object() ? extra.end() : json::const_iterator{};
  const auto emit_extras_before = [&](std::string_view key) {
    for (; extra.is_object() && next_extra != extra_end && next_extra.key() < key; ++next_extra) {
      member(next_extra.key());
      w.dom(next_extra.value());
    }
  };
  for (const Field& f : fields) {
    if (!f.present) continue;
    emit_extras_before(f.key);
    if (extra.is_object() && next_extra != extra_end && next_extra.key() == f.key) ++next_extra;
    comma();
    w.key(f.key);
    f.write(w, request, model, stream);
  }
  if (extra.is_object()) {
    for (; next_extra != extra_end; ++next_extra) {
      member(next_extra.key());
      w.dom(next_extra.value());
    }
  }
  w.raw("}");
  if (!w.ok) {  // invalid UTF-8 somewhere: let the DOM path decide, as before
    ChatRequest copy = request;
    copy.model = std::string(model);
    copy.stream = stream;
    copy.extra = extra;
    return build_chat_request(copy).dump();
  }
  return std::move(w.out);
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
          auto parsed = parse_json(a->get<std::string>());
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

// The common answer (text content, no tool calls) read straight into a ChatResponse, without a
// DOM: this runs once per proxied request. Anything else, including every error, returns false
// and takes the full path below, so the result is always what that path gives. One reader per
// object, small enough for the compiler to inline the cursor's steps into each. A repeated key
// is left to the full parser (the last occurrence wins there).

// choices[0].message, from its '{'.
bool read_plain_message(JsonCursor& c, ChatResponse& out) {
  using Step = JsonCursor::Step;
  bool first = true, seen_content = false;
  std::string_view key;
  for (Step m; (m = c.next_member(first, key)) != Step::kEnd;) {
    if (m == Step::kError) return false;
    if (key_is(key, "content")) {
      std::string text;
      if (!once(seen_content) || !read_plain_text(c, text)) return false;
      if (!text.empty()) out.content.emplace_back(TextBlock{std::move(text)});
    } else if (key_is(key, "tool_calls")) {
      // Only an empty list or a non-list (both ignored) is handled here.
      if (!c.read_if('[', [&] { return c.consume(']'); })) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return true;
}

// The "choices" array, from its '['.
bool read_plain_choices(JsonCursor& c, ChatResponse& out, bool& have_message) {
  using Step = JsonCursor::Step;
  bool first_choice = true;
  if (c.next_element(first_choice) != Step::kItem || !c.consume('{')) return false;
  bool first = true, seen_message = false, seen_finish = false;
  std::string_view key;
  for (Step s; (s = c.next_member(first, key)) != Step::kEnd;) {
    if (s == Step::kError) return false;
    if (key_is(key, "message")) {
      if (!once(seen_message) || !c.consume('{') || !read_plain_message(c, out)) return false;
      have_message = true;
    } else if (key_is(key, "finish_reason")) {
      std::optional<StopReason> reason;
      if (!once(seen_finish) || !read_plain_finish_reason(c, reason)) return false;
      if (reason) out.stop_reason = *reason;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return c.skip_remaining_elements(first_choice);  // later choices
}

bool read_plain_response(std::string_view body, ChatResponse& out) {
  using Step = JsonCursor::Step;
  JsonCursor c(body);
  if (!c.consume('{')) return false;
  bool seen_id = false, seen_model = false, seen_created = false, seen_choices = false,
       seen_usage = false;
  bool have_message = false;
  bool first = true;
  std::string_view key;
  for (Step step; (step = c.next_member(first, key)) != Step::kEnd;) {
    if (step == Step::kError) return false;
    const bool id = key_is(key, "id");
    if (id || key_is(key, "model")) {
      if (!once(id ? seen_id : seen_model)) return false;
      auto value = c.string_view();
      if (!value) return false;  // value("id", "") throws on a non-string
      (id ? out.id : out.model) = *value;
    } else if (key_is(key, "created")) {
      if (!once(seen_created)) return false;
      if (auto value = c.integer()) {
        out.created = *value;
      } else if (const char next = c.peek(); next == '-' || (next >= '0' && next <= '9')) {
        return false;  // a fraction or beyond int64: the full path's conversions apply
      } else if (!c.skip_value()) {
        return false;  // not a number: ignored, as in the full path
      }
    } else if (key_is(key, "choices")) {
      if (!once(seen_choices) || !c.consume('[') || !read_plain_choices(c, out, have_message)) {
        return false;
      }
    } else if (key_is(key, "usage")) {
      if (!once(seen_usage) || !c.read_if('{', [&] { return read_plain_usage(c, out.usage); })) {
        return false;
      }
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return have_message && c.at_end();
}

}  // namespace

Result<ChatResponse> parse_chat_response(std::string_view body) {
  if (Result<ChatResponse> fast = ChatResponse{}; read_plain_response(body, fast.value())) {
    return fast;
  }
  auto parsed = parse_json(body);
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
  auto parsed = parse_json(body);
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
