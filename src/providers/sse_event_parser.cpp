#include "providers/sse_event_parser.h"

#include <utility>

namespace osprey::providers {

std::optional<SseEvent> SseEventParser::feed_line(std::string_view line) {
  if (line.empty()) {
    if (!has_data_) {
      current_ = SseEvent{};  // an event with no data is not dispatched
      return std::nullopt;
    }
    has_data_ = false;
    return std::exchange(current_, SseEvent{});
  }
  if (line.front() == ':') return std::nullopt;
  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    current_.event = std::string(value);
  } else if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  }
  return std::nullopt;
}

}  // namespace osprey::providers
