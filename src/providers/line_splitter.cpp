#include "providers/line_splitter.h"

namespace osprey::providers {

Status LineSplitter::check_pending() const {
  if (buffer_.size() > max_line_) {
    return make_error(ErrorCode::kUpstreamError,
                      "stream line longer than " + std::to_string(max_line_) + " bytes");
  }
  return {};
}

}  // namespace osprey::providers
