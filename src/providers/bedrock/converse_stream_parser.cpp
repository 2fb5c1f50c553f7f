#include "providers/bedrock/converse_stream_parser.h"

#include <nlohmann/json.hpp>

#include "providers/bedrock/converse_codec.h"

namespace osprey::providers::bedrock {

using nlohmann::json;

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
  const json doc = json::parse(payload, nullptr, /*allow_exceptions=*/false);
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
