#include "providers/anthropic/anthropic_stream_parser.h"

#include <nlohmann/json.hpp>

#include "providers/anthropic/anthropic_codec.h"

namespace osprey::providers::anthropic {

using nlohmann::json;

Result<std::vector<StreamEvent>> AnthropicStreamParser::fail(UpstreamError error) {
  last_error_ = std::move(error);
  return last_error_->to_error();
}

Result<std::vector<StreamEvent>> AnthropicStreamParser::feed(std::string_view event,
                                                             std::string_view data) {
  std::vector<StreamEvent> events;
  const json doc = json::parse(data, nullptr, /*allow_exceptions=*/false);
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
