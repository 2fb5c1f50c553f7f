#include "providers/anthropic/anthropic_stream_parser.h"

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "providers/anthropic/anthropic_codec.h"
#include "providers/json_cursor.h"

namespace osprey::providers::anthropic {

using nlohmann::json;

namespace {

// A content_block_delta's "delta", from its '{': its kind and the text it carries.
struct PlainDelta {
  enum class Kind { kNone, kText, kJson } kind = Kind::kNone;
  std::string text;          // text_delta's "text"
  std::string partial_json;  // input_json_delta's "partial_json"
};

bool read_plain_delta(JsonCursor& c, PlainDelta& delta) {
  using Step = JsonCursor::Step;
  bool first = true, seen_kind = false, seen_text = false, seen_json = false;
  std::string_view key;
  for (Step d; (d = c.next_member(first, key)) != Step::kEnd;) {
    if (d == Step::kError) return false;
    if (key_is(key, "type")) {
      auto type = c.string_view();
      if (!once(seen_kind) || !type) return false;
      delta.kind = *type == "text_delta"         ? PlainDelta::Kind::kText
                   : *type == "input_json_delta" ? PlainDelta::Kind::kJson
                                                 : PlainDelta::Kind::kNone;
    } else if (key_is(key, "text") || key_is(key, "partial_json")) {
      const bool is_text = key_is(key, "text");
      if (!once(is_text ? seen_text : seen_json) ||
          !c.string_into(is_text ? delta.text : delta.partial_json)) {
        return false;
      }
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool read_plain_stream_event(std::string_view event, std::string_view data,
                             std::vector<StreamEvent>& out) {
  using Step = JsonCursor::Step;
  enum class Kind { kOther, kDelta, kQuiet };
  const auto kind_of = [](std::string_view type) {
    if (type == "content_block_delta") return Kind::kDelta;
    if (type == "content_block_stop" || type == "ping") return Kind::kQuiet;
    return Kind::kOther;
  };
  JsonCursor c(data);
  if (!c.consume('{')) return false;
  Kind kind = kind_of(event);  // the event name decides when the data has no "type"
  int index = 0;
  PlainDelta delta;
  bool seen_type = false, seen_index = false, seen_delta = false;
  bool first = true;
  std::string_view key;
  for (Step step; (step = c.next_member(first, key)) != Step::kEnd;) {
    if (step == Step::kError) return false;
    if (key_is(key, "type")) {
      auto type = c.string_view();
      if (!once(seen_type) || !type) return false;
      kind = kind_of(*type);
    } else if (key_is(key, "index")) {
      const auto value = c.int_value();
      if (!once(seen_index) || !value) return false;
      index = *value;
    } else if (key_is(key, "delta")) {
      if (!once(seen_delta) || !c.consume('{') || !read_plain_delta(c, delta)) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  if (!c.at_end() || kind == Kind::kOther) return false;
  if (kind == Kind::kDelta && delta.kind == PlainDelta::Kind::kText) {
    out.emplace_back(TextDeltaEvent{index, std::move(delta.text)});
  } else if (kind == Kind::kDelta && delta.kind == PlainDelta::Kind::kJson) {
    out.emplace_back(ToolUseDeltaEvent{index, std::move(delta.partial_json)});
  }
  return true;
}

Result<std::vector<StreamEvent>> AnthropicStreamParser::fail(UpstreamError error) {
  last_error_ = std::move(error);
  return last_error_->to_error();
}

Result<std::vector<StreamEvent>> AnthropicStreamParser::feed(std::string_view event,
                                                             std::string_view data) {
  std::vector<StreamEvent> events;
  if (read_plain_stream_event(event, data, events)) return events;
  const json doc = parse_json(data);
  if (!doc.is_object()) {
    if (event == "ping") return events;
    return fail(malformed_upstream_body("anthropic", "stream event: " + body_excerpt(data)));
  }
  try {
    const std::string type = doc.value("type", std::string(event));
    if (type == "message_start") {
      const json message = doc.value("message", json::object());
      events.emplace_back(MessageStartEvent{message.value("id", ""), message.value("model", "")});
      const json usage = message.value("usage", json::object());
      events.emplace_back(UsageEvent{usage.value("input_tokens", std::int64_t{0}),
                                     usage.value("output_tokens", std::int64_t{0})});
    } else if (type == "content_block_start") {
      const int index = doc.value("index", 0);
      const json block = doc.value("content_block", json::object());
      const std::string kind = block.value("type", "");
      if (kind == "tool_use") {
        events.emplace_back(
            ToolUseStartEvent{index, block.value("id", ""), block.value("name", "")});
      } else if (kind == "text") {
        // The start block normally carries "", but keep any text it does carry.
        events.emplace_back(TextDeltaEvent{index, block.value("text", "")});
      }
    } else if (type == "content_block_delta") {
      const int index = doc.value("index", 0);
      const json delta = doc.value("delta", json::object());
      const std::string kind = delta.value("type", "");
      if (kind == "text_delta") {
        events.emplace_back(TextDeltaEvent{index, delta.value("text", "")});
      } else if (kind == "input_json_delta") {
        events.emplace_back(ToolUseDeltaEvent{index, delta.value("partial_json", "")});
      }
    } else if (type == "message_delta") {
      const json delta = doc.value("delta", json::object());
      if (auto r = delta.find("stop_reason"); r != delta.end() && r->is_string()) {
        stop_reason_ = parse_stop_reason(r->get<std::string>());
      }
      if (auto u = doc.find("usage"); u != doc.end() && u->is_object()) {
        events.emplace_back(UsageEvent{u->value("input_tokens", std::int64_t{0}),
                                       u->value("output_tokens", std::int64_t{0})});
      }
    } else if (type == "message_stop") {
      done_ = true;
      events.emplace_back(MessageStopEvent{stop_reason_});
    } else if (type == "error") {
      return fail(parse_error(0, data));
    }  // ping, content_block_stop and future event types carry nothing we need
  } catch (const json::exception& e) {
    return fail(malformed_upstream_body("anthropic", std::string("stream event: ") + e.what()));
  }
  return events;
}

}  // namespace osprey::providers::anthropic
