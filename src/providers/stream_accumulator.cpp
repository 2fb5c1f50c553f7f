#include "providers/stream_accumulator.h"

#include "core/json_parse.h"
#include "providers/overloaded.h"

namespace osprey::providers {

void StreamAccumulator::add(const StreamEvent& event) {
  std::visit(Overloaded{
                 [&](const MessageStartEvent& e) {
                   if (!e.id.empty()) head_.id = e.id;
                   if (!e.model.empty()) head_.model = e.model;
                 },
                 [&](const TextDeltaEvent& e) { blocks_[e.index].text += e.text; },
                 [&](const ToolUseStartEvent& e) {
                   Block& b = blocks_[e.index];
                   b.is_tool = true;
                   b.id = e.id;
                   b.name = e.name;
                 },
                 [&](const ToolUseDeltaEvent& e) {
                   Block& b = blocks_[e.index];
                   b.is_tool = true;
                   b.text += e.partial_json;
                 },
                 [&](const MessageStopEvent& e) { head_.stop_reason = e.stop_reason; },
                 [&](const UsageEvent& e) {
                   // Vendors report input and output in different events; keep the latest
                   // non-zero value of each.
                   if (e.input_tokens > 0) head_.usage.input_tokens = e.input_tokens;
                   if (e.output_tokens > 0) head_.usage.output_tokens = e.output_tokens;
                 },
             },
             event);
}

ChatResponse StreamAccumulator::response() const {
  ChatResponse out = head_;
  for (const auto& [index, block] : blocks_) {
    if (!block.is_tool) {
      out.content.emplace_back(TextBlock{block.text});
      continue;
    }
    ToolUseBlock tool{block.id, block.name, nlohmann::json::object()};
    if (!block.text.empty()) {
      auto parsed = parse_json(block.text);
      tool.input = parsed.is_discarded() ? nlohmann::json(block.text) : std::move(parsed);
    }
    out.content.emplace_back(std::move(tool));
  }
  return out;
}

}  // namespace osprey::providers
