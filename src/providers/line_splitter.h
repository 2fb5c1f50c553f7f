#pragma once
// LineSplitter cuts a byte stream that arrives in arbitrary pieces into lines (LF or CRLF
// terminated), the framing under SSE and NDJSON. A line longer than the limit is an error, so a
// misbehaving upstream cannot make us buffer without bound. Not thread-safe: one per stream.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace osprey::providers {

class LineSplitter {
 public:
  static constexpr std::size_t kDefaultMaxLine = 16 * 1024 * 1024;
  explicit LineSplitter(std::size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

  // Appends bytes; returns every line now complete, without its terminator.
  Result<std::vector<std::string>> feed(std::string_view bytes);
  // Bytes of an unterminated last line.
  const std::string& pending() const { return buffer_; }

 private:
  std::size_t max_line_;
  std::string buffer_;
};

}  // namespace osprey::providers
