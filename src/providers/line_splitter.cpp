#include "providers/line_splitter.h"

namespace osprey::providers {

Result<std::vector<std::string>> LineSplitter::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  buffer_.append(bytes);
  std::size_t start = 0;
  for (;;) {
    const std::size_t nl = buffer_.find('\n', start);
    if (nl == std::string::npos) break;
    std::size_t end = nl;
    if (end > start && buffer_[end - 1] == '\r') --end;
    lines.emplace_back(buffer_, start, end - start);
    start = nl + 1;
  }
  buffer_.erase(0, start);
  if (buffer_.size() > max_line_) {
    return make_error(ErrorCode::kUpstreamError,
                      "stream line longer than " + std::to_string(max_line_) + " bytes");
  }
  return lines;
}

}  // namespace osprey::providers
