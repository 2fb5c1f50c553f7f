#pragma once
// LineSplitter cuts a byte stream that arrives in arbitrary pieces into lines (LF or CRLF
// terminated), the framing under SSE and NDJSON. A line longer than the limit is an error, so a
// misbehaving upstream cannot make us buffer without bound. Not thread-safe: one per stream.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace osprey::providers {

class LineSplitter {
 public:
  static constexpr std::size_t kDefaultMaxLine = 16 * 1024 * 1024;
  explicit LineSplitter(std::size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

  // Calls `on_line(std::string_view)` for every line the bytes complete, in order, without its
  // terminator. A line wholly inside `bytes` is a view of them (no copy: this runs for every
  // event of every stream); one split across reads is joined in a buffer first. The view lives
  // for the call only. `on_line` returns false to stop: the rest is dropped, the stream has
  // failed. An unterminated tail longer than the limit is an error.
  template <typename OnLine>
  Status feed(std::string_view bytes, OnLine&& on_line);
  // Bytes of an unterminated last line.
  const std::string& pending() const { return buffer_; }

 private:
  static std::string_view without_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }
  Status check_pending() const;

  std::size_t max_line_;
  std::string buffer_;
};

template <typename OnLine>
Status LineSplitter::feed(std::string_view bytes, OnLine&& on_line) {
  if (!buffer_.empty()) {
    const std::size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      buffer_.append(bytes);
      return check_pending();
    }
    buffer_.append(bytes.data(), nl);
    bytes.remove_prefix(nl + 1);
    const bool go_on = on_line(without_cr(buffer_));
    buffer_.clear();
    if (!go_on) return {};
  }
  for (std::size_t nl; (nl = bytes.find('\n')) != std::string_view::npos;) {
    const std::string_view line = without_cr(bytes.substr(0, nl));
    bytes.remove_prefix(nl + 1);
    if (!on_line(line)) return {};
  }
  buffer_.assign(bytes);
  return check_pending();
}

}  // namespace osprey::providers
