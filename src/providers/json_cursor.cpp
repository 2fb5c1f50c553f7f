#include "providers/json_cursor.h"

#include "core/json_plain_run.h"
#include "core/utf8.h"

namespace osprey::providers {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

void JsonCursor::skip_ws() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r')) return;  // most: > ' '
    ++pos_;
  }
}

bool JsonCursor::consume(char c) {
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

char JsonCursor::peek() {
  skip_ws();
  return pos_ < text_.size() ? text_[pos_] : '\0';
}

bool JsonCursor::at_end() {
  skip_ws();
  return pos_ == text_.size();
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

bool JsonCursor::read_string(std::string_view* out, std::string* scratch) {
  skip_ws();
  if (pos_ == text_.size() || text_[pos_] != '"') return false;
  ++pos_;
  // First pass: find the end and check the text; most strings have no escapes and are then
  // returned as a view, with no copy.
  const std::size_t start = pos_;
  bool escaped = false;
  for (;;) {
    pos_ = json_plain_run_end(text_, pos_);
    if (pos_ == text_.size()) return false;  // unterminated
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') break;
    if (c < 0x20) return false;  // raw control characters are invalid JSON
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(text_, pos_);
      if (len == 0) return false;
      pos_ += len;
    } else if (c == '\\') {
      if (pos_ + 1 >= text_.size() || unescaped(text_[pos_ + 1]) == '\0') return false;
      escaped = true;
      pos_ += 2;
    } else {
      ++pos_;  // DEL, which the plain run stops at
    }
  }
  const std::string_view raw(text_.data() + start, pos_ - start);
  ++pos_;
  if (out == nullptr) return true;
  if (!escaped) {
    *out = raw;
    return true;
  }
  scratch->clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      *scratch += unescaped(raw[++i]);
    } else {
      *scratch += raw[i];
    }
  }
  *out = *scratch;
  return true;
}

std::optional<std::int64_t> JsonCursor::integer() {
  skip_ws();
  std::size_t end = pos_;
  const bool negative = end < text_.size() && text_[end] == '-';
  if (negative) ++end;
  if (end >= text_.size() || !is_digit(text_[end])) return std::nullopt;
  if (text_[end] == '0' && end + 1 < text_.size() && is_digit(text_[end + 1])) {
    return std::nullopt;  // leading zero: invalid JSON
  }
  // Accumulated here rather than with from_chars, whose setup costs more than the few digits
  // of a token count or a timestamp. Up to 19 digits fit in uint64 (< 1e19 < 2^64); more (no
  // leading zeros) are out of int64's range anyway.
  const std::size_t first_digit = end;
  std::uint64_t magnitude = 0;
  for (; end < text_.size() && is_digit(text_[end]); ++end) {
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(text_[end] - '0');
  }
  constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;  // |INT64_MIN|
  if (end - first_digit > 19 || magnitude > (negative ? kMaxMagnitude : kMaxMagnitude - 1)) {
    return std::nullopt;  // out of range
  }
  if (end < text_.size() && (text_[end] == '.' || text_[end] == 'e' || text_[end] == 'E')) {
    return std::nullopt;  // a fraction or exponent: not an integer
  }
  pos_ = end;
  // Two's complement: the negation of the magnitude, INT64_MIN included, without overflow.
  return negative ? static_cast<std::int64_t>(~magnitude + 1)
                  : static_cast<std::int64_t>(magnitude);
}

bool JsonCursor::skip_number() {
  std::size_t p = pos_;
  const auto digits = [&] {
    const std::size_t from = p;
    while (p < text_.size() && is_digit(text_[p])) ++p;
    return p > from;
  };
  if (p < text_.size() && text_[p] == '-') ++p;
  if (p >= text_.size() || !is_digit(text_[p])) return false;
  if (text_[p] == '0') {
    ++p;
  } else {
    digits();
  }
  if (p < text_.size() && text_[p] == '.') {
    ++p;
    if (!digits()) return false;
  }
  if (p < text_.size() && (text_[p] == 'e' || text_[p] == 'E')) {
    ++p;
    if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) ++p;
    if (!digits()) return false;
  }
  pos_ = p;
  return true;
}

bool JsonCursor::skip_literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return false;
  pos_ += word.size();
  return true;
}

bool JsonCursor::consume_literal(std::string_view word) {
  skip_ws();
  return skip_literal(word);
}

std::string_view JsonCursor::number_token() {
  skip_ws();
  const std::size_t start = pos_;
  if (!skip_number()) return {};
  return text_.substr(start, pos_ - start);
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
      ++pos_;
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
      ++pos_;
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

JsonCursor::Step JsonCursor::next_item(bool& first, char close) {
  // A closing bracket right after a comma ("[1,]") never gets here: the comma returns kItem
  // and the caller's value read fails on the bracket.
  if (consume(close)) return Step::kEnd;
  if (!first && !consume(',')) return Step::kError;
  first = false;
  return Step::kItem;
}

JsonCursor::Step JsonCursor::next_member(bool& first, std::string_view& key) {
  const Step step = next_item(first, '}');
  if (step != Step::kItem) return step;
  if (!read_string(&key, &key_buffer_) || !consume(':')) return Step::kError;
  return Step::kItem;
}

JsonCursor::Step JsonCursor::next_element(bool& first) { return next_item(first, ']'); }

}  // namespace osprey::providers
