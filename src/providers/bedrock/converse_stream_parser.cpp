#include "providers/bedrock/converse_stream_parser.h"

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "providers/bedrock/converse_codec.h"
#include "providers/json_cursor.h"

namespace osprey::providers::bedrock {

using nlohmann::json;

namespace {

// A contentBlockDelta's "delta", from its '{': "text" when a string wins, as on the DOM path;
// else a "toolUse" object's "input".
struct PlainDelta {
  std::optional<std::string> text;
  std::optional<std::string> input;
};

// delta.toolUse, from its '{'.
bool read_plain_tool_use(JsonCursor& c, PlainDelta& delta) {
  using Step = JsonCursor::Step;
  bool first = true;
  std::string_view key;
  for (Step m; (m = c.next_member(first, key)) != Step::kEnd;) {
    if (m == Step::kError) return false;
    if (key_is(key, "input")) {
      if (delta.input || !c.string_into(delta.input.emplace())) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  if (!delta.input) delta.input.emplace();  // value("input", "")
  return true;
}

bool read_plain_delta(JsonCursor& c, PlainDelta& delta) {
  using Step = JsonCursor::Step;
  bool first = true, seen_text = false, seen_tool = false;
  std::string_view key;
  for (Step m; (m = c.next_member(first, key)) != Step::kEnd;) {
    if (m == Step::kError) return false;
    if (key_is(key, "text")) {
      if (!once(seen_text) || !c.string_into(delta.text.emplace())) return false;
    } else if (key_is(key, "toolUse")) {
      if (!once(seen_tool) || !c.consume('{') || !read_plain_tool_use(c, delta)) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool read_plain_stream_event(std::string_view event_type, std::string_view payload,
                             std::vector<StreamEvent>& out) {
  using Step = JsonCursor::Step;
  const bool delta_event = event_type == "contentBlockDelta";
  if (!delta_event && event_type != "contentBlockStop") return false;
  JsonCursor c(payload);
  if (!c.consume('{')) return false;
  int index = 0;
  PlainDelta delta;
  bool seen_index = false, seen_delta = false;
  bool first = true;
  std::string_view key;
  for (Step step; (step = c.next_member(first, key)) != Step::kEnd;) {
    if (step == Step::kError) return false;
    if (delta_event && key_is(key, "contentBlockIndex")) {
      const auto value = c.int_value();
      if (!once(seen_index) || !value) return false;
      index = *value;
    } else if (delta_event && key_is(key, "delta")) {
      if (!once(seen_delta) || !c.consume('{') || !read_plain_delta(c, delta)) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  if (!c.at_end()) return false;
  if (delta.text) {
    out.emplace_back(TextDeltaEvent{index, std::move(*delta.text)});
  } else if (delta.input) {
    out.emplace_back(ToolUseDeltaEvent{index, std::move(*delta.input)});
  }
  return true;
}

Result<std::vector<StreamEvent>> ConverseStreamParser::fail(UpstreamError error) {
  last_error_ = std::move(error);
  return last_error_->to_error();
}

Result<std::vector<StreamEvent>> ConverseStreamParser::feed(const EventStreamMessage& message) {
  const std::string_view type = message.header(":message-type");
  if (type == "exception") {
    return fail(parse_error(0, message.header(":exception-type"), message.payload));
  }
  if (type == "error") {  // transport-level error frames carry their code in headers
    return fail(
        parse_error(0, message.header(":error-code"),
                    json{{"message", std::string(message.header(":error-message"))}}.dump()));
  }
  return feed_event(message.header(":event-type"), message.payload);
}

Result<std::vector<StreamEvent>> ConverseStreamParser::feed_event(std::string_view event_type,
                                                                  std::string_view payload) {
  std::vector<StreamEvent> events;
  if (read_plain_stream_event(event_type, payload, events)) return events;
  const json doc = parse_json(payload);
  if (!doc.is_object()) {
    return fail(malformed_upstream_body("bedrock", "stream event: " + body_excerpt(payload)));
  }
  try {
    if (event_type == "messageStart") {
      events.emplace_back(MessageStartEvent{"", model_});
    } else if (event_type == "contentBlockStart") {
      const int index = doc.value("contentBlockIndex", 0);
      const json start = doc.value("start", json::object());
      if (auto t = start.find("toolUse"); t != start.end() && t->is_object()) {
        events.emplace_back(
            ToolUseStartEvent{index, t->value("toolUseId", ""), t->value("name", "")});
      }
    } else if (event_type == "contentBlockDelta") {
      const int index = doc.value("contentBlockIndex", 0);
      const json delta = doc.value("delta", json::object());
      if (auto t = delta.find("text"); t != delta.end() && t->is_string()) {
        events.emplace_back(TextDeltaEvent{index, t->get<std::string>()});
      } else if (auto u = delta.find("toolUse"); u != delta.end() && u->is_object()) {
        events.emplace_back(ToolUseDeltaEvent{index, u->value("input", "")});
      }
    } else if (event_type == "messageStop") {
      events.emplace_back(MessageStopEvent{parse_stop_reason(doc.value("stopReason", ""))});
    } else if (event_type == "metadata") {
      done_ = true;  // metadata is the last event of a ConverseStream
      const json usage = doc.value("usage", json::object());
      events.emplace_back(UsageEvent{usage.value("inputTokens", std::int64_t{0}),
                                     usage.value("outputTokens", std::int64_t{0})});
    }  // contentBlockStop and future event types carry nothing we need
  } catch (const json::exception& e) {
    return fail(malformed_upstream_body("bedrock", std::string("stream event: ") + e.what()));
  }
  return events;
}

}  // namespace osprey::providers::bedrock
