#include "providers/line_splitter.h"

namespace osprey::providers {

Status LineSplitter::check_pending() const {
  if (buffer_.size() > max_line_) {
    return make_error(ErrorCode::kUpstreamError,
                      "stream line longer than " + std::to_string(max_line_) + " bytes");
  }
  return {};
}

Result<std::vector<std::string>> LineSplitter::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  Status st = feed(bytes, [&](std::string_view line) {
    lines.emplace_back(line);
    return true;
  });
  if (!st) return st.error();
  return lines;
}

}  // namespace osprey::providers
