#pragma once
// JsonCursor: a forward-only reader over JSON text for hot paths that need a few fields of a
// document without building a DOM. Deliberately strict and small: it accepts a subset of valid
// JSON (strings with \u escapes, nesting deeper than kMaxDepth and numbers beyond a double's
// range are refused), and every failure only means "not handled here", so callers fall back to
// the full nlohmann parser, which then decides and words any error. Never accepts text that is
// not valid JSON, nor a number nlohmann refuses ("number overflow").
// Not thread-safe; views the text, which must outlive the cursor.
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_plain_run.h"

namespace osprey::providers {

class JsonCursor {
 public:
  static constexpr int kMaxDepth = 32;

  explicit JsonCursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // Skips whitespace, then consumes `c` if it is next.
  bool consume(char c) {
    skip_ws();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  // The next non-whitespace character, or '\0' at the end.
  char peek() {
    skip_ws();
    return p_ != end_ ? *p_ : '\0';
  }
  // True when only whitespace is left.
  bool at_end() {
    skip_ws();
    return p_ == end_;
  }

  // A string value, unescaped; nullopt if the next value is not a string this cursor handles.
  std::optional<std::string> string();
  // The same into `out`: false, with `out` untouched, if the next value is not such a string.
  bool string_into(std::string& out) {
    auto value = string();
    if (!value) return false;
    out = std::move(*value);
    return true;
  }
  // The same without a copy: a view of the text when the string has no escapes, else of a
  // buffer inside the cursor, valid until the next string_view() call.
  std::optional<std::string_view> string_view();
  // An integer value (no fraction or exponent) that fits in int64; nullopt otherwise, and then
  // the cursor has not moved.
  std::optional<std::int64_t> integer();
  // The same for an integer that fits in an int (an index).
  std::optional<int> int_value() {
    const char* const at = p_;
    if (const auto value = integer(); value && *value >= std::numeric_limits<int>::min() &&
                                      *value <= std::numeric_limits<int>::max()) {
      return static_cast<int>(*value);
    }
    p_ = at;
    return std::nullopt;
  }
  // Consumes the literal `word` (true, false, null) if it is next. Inline, so that the compare
  // with a literal word is a load and a compare rather than a memcmp call.
  bool consume_literal(std::string_view word) {
    skip_ws();
    return skip_literal(word);
  }
  // Consumes a number and returns its text, checked against the JSON grammar; empty (and not
  // moved) if no valid number is next.
  std::string_view number_token();
  // Skips one value of any type, checking its syntax; false if invalid or not handled.
  bool skip_value() { return skip_value(0); }

  // Walking containers: after consume('{') (or '['), call next_member (next_element) with a
  // `first` flag, initially true, owned by the caller for that container. kItem: a member's key
  // (and its ':') was read, or an element follows: read or skip the value next. kEnd: the
  // closing bracket was consumed. kError: invalid or not handled.
  enum class Step { kItem, kEnd, kError };
  // `key` views the text, or (for a key with escapes) a buffer inside the cursor; either way it
  // stays valid until the next next_member call. Keys are short and read for every member, so
  // they are not copied.
  // Inline, with read_string's fast path: the parsers call them for every member.
  Step next_member(bool& first, std::string_view& key) {
    const Step step = next_item(first, '}');
    if (step != Step::kItem) return step;
    if (!read_string(&key, &key_buffer_) || !consume(':')) return Step::kError;
    return Step::kItem;
  }
  Step next_element(bool& first) { return next_item(first, ']'); }
  // Skips the rest of an array being walked with next_element (its `first` flag) through its
  // ']'; false if invalid or not handled.
  bool skip_remaining_elements(bool& first) {
    for (Step s; (s = next_element(first)) != Step::kEnd;) {
      if (s == Step::kError || !skip_value()) return false;
    }
    return true;
  }
  // When the next value opens with `open` ('{' or '['), consumes that bracket and returns
  // read(), which reads the rest of the value; any other value (null, most often) is skipped,
  // as the nlohmann paths ignore a field of another type. False if invalid or not handled.
  template <typename Read>
  bool read_if(char open, Read&& read) {
    if (peek() != open) return skip_value();
    ++p_;
    return read();
  }

 private:
  // The hot paths read compact JSON, where the next byte is rarely whitespace: one compare
  // inline, the loop out of line.
  void skip_ws() {
    if (p_ != end_ && static_cast<unsigned char>(*p_) <= ' ') skip_ws_run();
  }
  void skip_ws_run();
  bool skip_literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }
  bool skip_value(int depth);
  // A string value: `*out` views its text when it has no escapes, else `*scratch` holding it
  // unescaped; only checked when `out` is null.
  bool read_string(std::string_view* out, std::string* scratch) {
    skip_ws();
    if (p_ == end_ || *p_ != '"') return false;
    const char* const start = p_ + 1;
    if (const char* const close = json_plain_string_end(start, end_)) {
      if (out != nullptr) *out = std::string_view(start, static_cast<std::size_t>(close - start));
      p_ = close + 1;
      return true;
    }
    return read_string_rest(start, out, scratch);
  }
  // read_string for the strings its fast path leaves (escapes, UTF-8, anything invalid): the
  // string's text starts at `start`.
  bool read_string_rest(const char* start, std::string_view* out, std::string* scratch);
  bool skip_number();

  Step next_item(bool& first, char close) {
    // A closing bracket right after a comma ("[1,]") never gets here: the comma returns kItem
    // and the caller's value read fails on the bracket.
    skip_ws();
    if (p_ == end_) return Step::kError;
    if (*p_ == close) {
      ++p_;
      return Step::kEnd;
    }
    if (!first) {
      if (*p_ != ',') return Step::kError;
      ++p_;
    }
    first = false;
    return Step::kItem;
  }

  const char* p_;  // the next byte to read
  const char* end_;
  // Unescaped copies of the strings with escapes (rare): the current key, the last value.
  std::string key_buffer_;
  std::string value_buffer_;
};

// A member key against a name: a length check and, for a literal name, a memcmp of known size
// that the compiler expands inline (string_view's == goes through compare(), which it may leave
// out of line in a large reader). The hot parsers compare dozens of keys per request.
inline bool key_is(std::string_view key, std::string_view name) {
  return key.size() == name.size() && std::memcmp(key.data(), name.data(), name.size()) == 0;
}

// True the first time it is called with `seen` (which it sets). The readers leave a repeated key
// to the full parser, where the last occurrence wins.
inline bool once(bool& seen) {
  const bool first = !seen;
  seen = true;
  return first;
}

}  // namespace osprey::providers
