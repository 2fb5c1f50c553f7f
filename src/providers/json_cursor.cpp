#include "providers/json_cursor.h"

#include <charconv>
#include <system_error>

#include "core/json_plain_run.h"  // json_plain_run_end
#include "core/utf8.h"

namespace osprey::providers {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

void JsonCursor::skip_ws_run() {
  while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
}

std::optional<std::string> JsonCursor::string() {
  std::string_view value;
  if (!read_string(&value, &value_buffer_)) return std::nullopt;
  return std::string(value);
}

std::optional<std::string_view> JsonCursor::string_view() {
  std::string_view value;
  if (!read_string(&value, &value_buffer_)) return std::nullopt;
  return value;
}

namespace {

// The character an escape `\c` stands for; '\0' for \u (left to the full parser) and invalid
// escapes.
char unescaped(char c) {
  switch (c) {
    case '"':
    case '\\':
    case '/':
      return c;
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    default:
      return '\0';
  }
}

}  // namespace

bool JsonCursor::read_string_rest(const char* start, std::string_view* out, std::string* scratch) {
  // First pass: find the end and check the text; a string without escapes (here: with UTF-8) is
  // returned as a view, with no copy.
  const std::string_view text(start, static_cast<std::size_t>(end_ - start));
  std::size_t i = 0;
  bool escaped = false;
  for (;;) {
    i = json_plain_run_end(text, i);
    if (i == text.size()) return false;  // unterminated
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') break;
    if (c < 0x20) return false;  // raw control characters are invalid JSON
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(text, i);
      if (len == 0) return false;
      i += len;
    } else if (c == '\\') {
      if (i + 1 >= text.size() || unescaped(text[i + 1]) == '\0') return false;
      escaped = true;
      i += 2;
    } else {
      ++i;  // DEL, which the plain run stops at
    }
  }
  const std::string_view raw = text.substr(0, i);
  p_ = start + i + 1;
  if (out == nullptr) return true;
  if (!escaped) {
    *out = raw;
    return true;
  }
  scratch->clear();
  for (std::size_t k = 0; k < raw.size(); ++k) {
    if (raw[k] == '\\') {
      *scratch += unescaped(raw[++k]);
    } else {
      *scratch += raw[k];
    }
  }
  *out = *scratch;
  return true;
}

std::optional<std::int64_t> JsonCursor::integer() {
  skip_ws();
  const char* p = p_;
  const bool negative = p != end_ && *p == '-';
  if (negative) ++p;
  if (p == end_ || !is_digit(*p)) return std::nullopt;
  if (*p == '0' && p + 1 != end_ && is_digit(p[1])) return std::nullopt;  // leading zero
  // Accumulated here rather than with from_chars, whose setup costs more than the few digits
  // of a token count or a timestamp. Up to 19 digits fit in uint64 (< 1e19 < 2^64); more (no
  // leading zeros) are out of int64's range anyway.
  const char* const first_digit = p;
  std::uint64_t magnitude = 0;
  for (; p != end_ && is_digit(*p); ++p) {
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;  // |INT64_MIN|
  if (p - first_digit > 19 || magnitude > (negative ? kMaxMagnitude : kMaxMagnitude - 1)) {
    return std::nullopt;  // out of range
  }
  if (p != end_ && (*p == '.' || *p == 'e' || *p == 'E')) {
    return std::nullopt;  // a fraction or exponent: not an integer
  }
  p_ = p;
  // Two's complement: the negation of the magnitude, INT64_MIN included, without overflow.
  return negative ? static_cast<std::int64_t>(~magnitude + 1)
                  : static_cast<std::int64_t>(magnitude);
}

bool JsonCursor::skip_number() {
  const char* p = p_;
  const auto digits = [&] {
    const char* const from = p;
    while (p != end_ && is_digit(*p)) ++p;
    return p != from;
  };
  if (p != end_ && *p == '-') ++p;
  if (p == end_ || !is_digit(*p)) return false;
  if (*p == '0') {
    ++p;
  } else {
    digits();
  }
  if (p != end_ && *p == '.') {
    ++p;
    if (!digits()) return false;
  }
  bool exponent = false;
  if (p != end_ && (*p == 'e' || *p == 'E')) {
    exponent = true;
    ++p;
    if (p != end_ && (*p == '+' || *p == '-')) ++p;
    if (!digits()) return false;
  }
  // nlohmann refuses a number beyond a double's range ("number overflow"), so such a number is
  // not handled here. Only an exponent or a few hundred digits can get there.
  if (exponent || p - p_ > 300) {
    double value = 0;  // (an underflow is refused too: the DOM path decides)
    if (std::from_chars(p_, p, value).ec != std::errc{}) return false;
  }
  p_ = p;
  return true;
}

std::string_view JsonCursor::number_token() {
  skip_ws();
  const char* const start = p_;
  if (!skip_number()) return {};
  return std::string_view(start, static_cast<std::size_t>(p_ - start));
}

bool JsonCursor::skip_value(int depth) {
  if (depth > kMaxDepth) return false;
  const char c = peek();
  switch (c) {
    case '"':
      return read_string(nullptr, nullptr);
    case 't':
      return skip_literal("true");
    case 'f':
      return skip_literal("false");
    case 'n':
      return skip_literal("null");
    case '{': {
      ++p_;
      bool first = true;
      for (;;) {
        const Step step = next_item(first, '}');
        if (step == Step::kEnd) return true;
        if (step == Step::kError || !read_string(nullptr, nullptr) || !consume(':') ||
            !skip_value(depth + 1)) {
          return false;
        }
      }
    }
    case '[': {
      ++p_;
      bool first = true;
      for (;;) {
        const Step step = next_element(first);
        if (step == Step::kEnd) return true;
        if (step == Step::kError || !skip_value(depth + 1)) return false;
      }
    }
    default:
      return (c == '-' || is_digit(c)) && skip_number();
  }
}

}  // namespace osprey::providers
