#pragma once
// Formatting pieces of one JSON log line, written by hand because this runs once per request.
// Each piece writes through a raw pointer into room the caller has made (LineWriter makes it
// once per piece), so a line costs no capacity check and no call per byte or per append.
// Pure functions; thread-safe.
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "core/utc_timestamp.h"

namespace osprey::log {

// What write_json_string may write for `size` bytes of text: a control byte becomes six bytes
// (\u00XX), an invalid UTF-8 byte three (U+FFFD), plus the two quotes.
constexpr std::size_t json_string_bound(std::size_t size) { return 6 * size + 2; }
// Writes `text` as a JSON string (with quotes) at `out`, which has json_string_bound(size) bytes
// of room: control characters, quotes and backslashes escaped; invalid UTF-8 replaced by U+FFFD.
// Returns the end of what it wrote.
char* write_json_string(char* out, std::string_view text);

// Room write_json_double needs; shortest round-trip form, NaN and infinities become null (JSON
// has no such numbers).
constexpr std::size_t kJsonDoubleBound = 32;
char* write_json_double(char* out, double value);

// The same, appended to a string.
void append_json_string(std::string& out, std::string_view text);
void append_json_double(std::string& out, double value);

// Appends to a string, reused from line to line: the string is opened up to its capacity, each
// piece checks for room once and writes through a pointer, and finish() trims the string to what
// was written (call it before using the string again).
class LineWriter {
 public:
  explicit LineWriter(std::string& line) : line_(line) {
    const std::size_t used = line_.size();
    line_.resize(line_.capacity());
    p_ = line_.data() + used;
    end_ = line_.data() + line_.size();
  }
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  void append(std::string_view text) {
    room(text.size());
    std::memcpy(p_, text.data(), text.size());
    p_ += text.size();
  }
  void append(char c) {
    room(1);
    *p_++ = c;
  }
  void json_string(std::string_view text) {
    room(json_string_bound(text.size()));
    p_ = write_json_string(p_, text);
  }
  // `,"key":`
  void key(std::string_view name) {
    room(json_string_bound(name.size()) + 2);
    *p_++ = ',';
    p_ = write_json_string(p_, name);
    *p_++ = ':';
  }
  void json_double(double value) {
    room(kJsonDoubleBound);
    p_ = write_json_double(p_, value);
  }
  template <class T>
  void integer(T value) {
    room(24);  // 20 digits and a sign at most
    p_ = std::to_chars(p_, p_ + 24, value).ptr;
  }
  void timestamp(std::chrono::system_clock::time_point when) {
    room(kUtcTimestampBound);
    p_ = write_utc_timestamp(p_, when);
  }
  // The line is complete: the string holds exactly what was written.
  void finish() { line_.resize(static_cast<std::size_t>(p_ - line_.data())); }

 private:
  void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) grow(n);
  }
  void grow(std::size_t n);

  std::string& line_;
  char* p_;
  char* end_;
};

}  // namespace osprey::log
