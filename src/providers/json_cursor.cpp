#include "providers/json_cursor.h"

#include <charconv>

#include "core/json_plain_run.h"
#include "core/utf8.h"

namespace osprey::providers {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

void JsonCursor::skip_ws() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
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
  std::string out;
  if (!read_string(&out)) return std::nullopt;
  return out;
}

bool JsonCursor::read_string(std::string* out) {
  if (!consume('"')) return false;
  if (out != nullptr) out->clear();
  // Appends the bytes not yet copied (from `run`) when there is somewhere to put them.
  const auto copy = [&](std::size_t run) {
    if (out != nullptr) out->append(text_.data() + run, pos_ - run);
  };
  const auto put = [&](char c) {
    if (out != nullptr) *out += c;
  };
  std::size_t run = pos_;
  while (pos_ < text_.size()) {
    pos_ = json_plain_run_end(text_, pos_);
    if (pos_ == text_.size()) break;
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      copy(run);
      ++pos_;
      return true;
    }
    if (c < 0x20) return false;  // raw control characters are invalid JSON
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(text_, pos_);
      if (len == 0) return false;
      pos_ += len;
      continue;
    }
    if (c != '\\') {
      ++pos_;
      continue;
    }
    copy(run);
    if (pos_ + 1 >= text_.size()) return false;
    switch (text_[pos_ + 1]) {
      case '"':
        put('"');
        break;
      case '\\':
        put('\\');
        break;
      case '/':
        put('/');
        break;
      case 'b':
        put('\b');
        break;
      case 'f':
        put('\f');
        break;
      case 'n':
        put('\n');
        break;
      case 'r':
        put('\r');
        break;
      case 't':
        put('\t');
        break;
      default:
        return false;  // \u escapes (surrogate rules) are left to the full parser
    }
    pos_ += 2;
    run = pos_;
  }
  return false;  // unterminated
}

std::optional<std::int64_t> JsonCursor::integer() {
  skip_ws();
  const std::size_t start = pos_;
  std::size_t end = start;
  if (end < text_.size() && text_[end] == '-') ++end;
  if (end >= text_.size() || !is_digit(text_[end])) return std::nullopt;
  if (text_[end] == '0' && end + 1 < text_.size() && is_digit(text_[end + 1])) {
    return std::nullopt;  // leading zero: invalid JSON
  }
  while (end < text_.size() && is_digit(text_[end])) ++end;
  if (end < text_.size() && (text_[end] == '.' || text_[end] == 'e' || text_[end] == 'E')) {
    return std::nullopt;  // a fraction or exponent: not an integer
  }
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text_.data() + start, text_.data() + end, value);
  if (ec != std::errc() || ptr != text_.data() + end) return std::nullopt;  // out of range
  pos_ = end;
  return value;
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
      return read_string(nullptr);
    case 't':
      return skip_literal("true");
    case 'f':
      return skip_literal("false");
    case 'n':
      return skip_literal("null");
    case '{': {
      ++pos_;
      bool first = true;
      std::string key;
      for (;;) {
        const Step step = next_member(first, key);
        if (step == Step::kEnd) return true;
        if (step == Step::kError || !skip_value(depth + 1)) return false;
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

JsonCursor::Step JsonCursor::next_member(bool& first, std::string& key) {
  const Step step = next_item(first, '}');
  if (step != Step::kItem) return step;
  if (!read_string(&key) || !consume(':')) return Step::kError;
  return Step::kItem;
}

JsonCursor::Step JsonCursor::next_element(bool& first) { return next_item(first, ']'); }

}  // namespace osprey::providers
