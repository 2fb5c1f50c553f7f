// JsonCursor: the DOM-free reader of the hot paths. Whatever it accepts must be valid JSON read
// the way nlohmann reads it; whatever it refuses falls back to nlohmann.
#include "providers/json_cursor.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace osprey::providers {
namespace {

bool skips(std::string_view text) {
  JsonCursor c(text);
  return c.skip_value() && c.at_end();
}

TEST(JsonCursor, SkipsValidValuesAndAgreesWithNlohmann) {
  for (std::string_view text :
       {R"({"a":[1,-2,3.5,1e5,-0.25E-3,true,false,null,"x\n\"y\"",{}],"b":{"c":[]}})", "0", "-0",
        " [ ] ", R"("caf\u00e9")", "\"\xC3\xA9\"", R"({"k":"\/\\\b\f\r\t"})"}) {
    const bool valid = !nlohmann::json::parse(text, nullptr, false).is_discarded();
    ASSERT_TRUE(valid) << text;
    const bool handled = skips(text);
    // \u escapes are refused on purpose (left to nlohmann); everything else is handled.
    EXPECT_EQ(handled, text.find("\\u") == std::string_view::npos) << text;
  }
}

TEST(JsonCursor, NeverAcceptsInvalidJson) {
  for (std::string_view text :
       {"[1,]", "{\"a\":1,}", "{,}", "[,1]", "01", "1.", ".5", "+1", "1e", "-", "tru", "nul",
        "\"unterminated", "\"tab\there\"", "\"\xC3\"", "\"\xED\xA0\x80\"", "\"\xC0\xAF\"",
        R"("bad \x escape")", "{\"a\" 1}", "{1:2}", "[1 2]", "{\"a\":1} x", "[", "{",
        // Beyond a double's range: nlohmann refuses it ("number overflow").
        "1e309", "-2.5E+400", "[1,9e99999999999]", "{\"created\":169E4268190}"}) {
    const bool valid = !nlohmann::json::parse(text, nullptr, false).is_discarded();
    ASSERT_FALSE(valid) << text;
    EXPECT_FALSE(skips(text)) << text;
  }
}

TEST(JsonCursor, SkipsNumbersUpToTheRangeOfADouble) {
  for (std::string_view text : {"1e308", "-1.7976931348623157e308", "4.9e-324", "1E+2", "0e0"}) {
    ASSERT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded()) << text;
    EXPECT_TRUE(skips(text)) << text;
  }
  // Long integers: nlohmann reads them as doubles, finite up to 309 digits.
  for (const std::size_t n : {305, 400}) {
    const std::string digits(n, '7');
    const bool finite = !nlohmann::json::parse(digits, nullptr, false).is_discarded();
    EXPECT_EQ(finite, n < 309);
    EXPECT_EQ(skips(digits), finite) << n;
    EXPECT_EQ(skips("-" + digits), finite) << n;
  }
  // Below a double's smallest: nlohmann reads 0, the cursor leaves the number to it.
  EXPECT_FALSE(nlohmann::json::parse("1e-400", nullptr, false).is_discarded());
  EXPECT_FALSE(skips("1e-400"));
}

TEST(JsonCursor, ReadsStringsAndIntegers) {
  JsonCursor c(R"({"s":"a\"b\\c\nd","i":-42,"big":99999999999999999999,"f":1.5})");
  ASSERT_TRUE(c.consume('{'));
  bool first = true;
  std::string_view key;
  ASSERT_EQ(c.next_member(first, key), JsonCursor::Step::kItem);
  EXPECT_EQ(key, "s");
  EXPECT_EQ(c.string(), std::optional<std::string>("a\"b\\c\nd"));
  ASSERT_EQ(c.next_member(first, key), JsonCursor::Step::kItem);
  EXPECT_EQ(c.integer(), std::optional<std::int64_t>(-42));
  ASSERT_EQ(c.next_member(first, key), JsonCursor::Step::kItem);
  EXPECT_EQ(c.integer(), std::nullopt);  // out of range: not moved, still skippable
  EXPECT_TRUE(c.skip_value());
  ASSERT_EQ(c.next_member(first, key), JsonCursor::Step::kItem);
  EXPECT_EQ(key, "f");
  EXPECT_EQ(c.integer(), std::nullopt);
  EXPECT_TRUE(c.skip_value());
  EXPECT_EQ(c.next_member(first, key), JsonCursor::Step::kEnd);
  EXPECT_TRUE(c.at_end());
}

TEST(JsonCursor, ViewsPlainStringsAndUnescapesTheOthers) {
  const std::string text = R"({"plain":"abc","esc\/key":"a\tb","long_key_beyond_sso_size":"caf)"
                           "\xC3\xA9"
                           R"(\"","del":")"
                           "\x7F"
                           R"("})";
  JsonCursor c(text);
  ASSERT_TRUE(c.consume('{'));
  bool first = true;
  std::string_view key;
  const auto inside = [&](std::string_view v) {
    return v.data() >= text.data() && v.data() + v.size() <= text.data() + text.size();
  };
  ASSERT_EQ(c.next_member(first, key), JsonCursor::Step::kItem);
  EXPECT_EQ(key, "plain");
  EXPECT_TRUE(inside(key));
  auto value = c.string_view();
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, "abc");
  EXPECT_TRUE(inside(*value));  // no escapes: no copy

  ASSERT_EQ(c.next_member(first, key), JsonCursor::Step::kItem);
  EXPECT_EQ(key, "esc/key");
  EXPECT_FALSE(inside(key));
  value = c.string_view();
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, "a\tb");
  EXPECT_EQ(key, "esc/key");  // an escaped key survives reading an escaped value

  ASSERT_EQ(c.next_member(first, key), JsonCursor::Step::kItem);
  EXPECT_EQ(key, "long_key_beyond_sso_size");
  EXPECT_EQ(c.string(), std::optional<std::string>("caf\xC3\xA9\""));

  ASSERT_EQ(c.next_member(first, key), JsonCursor::Step::kItem);
  EXPECT_EQ(key, "del");
  EXPECT_EQ(c.string(), std::optional<std::string>("\x7F"));
  EXPECT_EQ(c.next_member(first, key), JsonCursor::Step::kEnd);
  EXPECT_TRUE(c.at_end());
}

TEST(JsonCursor, RefusesKeysAndValuesItCannotRead) {
  for (std::string_view text : {R"({"k\u0065y":1})", R"({"key":"\u0041"})", R"({"k\x":1})",
                                "{\"k\\", R"({"k")", "{\"a\tb\":1}"}) {
    JsonCursor c(text);
    ASSERT_TRUE(c.consume('{'));
    bool first = true;
    std::string_view key;
    const JsonCursor::Step step = c.next_member(first, key);
    EXPECT_TRUE(step == JsonCursor::Step::kError || !c.string_view()) << text;
  }
}

TEST(JsonCursor, SkipsObjectsWithEscapedAndLongKeys) {
  EXPECT_TRUE(skips(R"({"completion_tokens_details":{"accepted_prediction_tokens":0,)"
                    R"("a\"b\\c":[{"\/":null}]}})"));
  EXPECT_FALSE(skips(R"({"a\u0062":1})"));  // \u: left to nlohmann
  EXPECT_FALSE(skips(R"({"a":1,"b"})"));
}

TEST(JsonCursor, ReadsIntegersUpToTheLimitsOfInt64) {
  const auto read = [](std::string_view text) {
    JsonCursor c(text);
    return c.integer();
  };
  EXPECT_EQ(read("9223372036854775807"), std::optional<std::int64_t>(INT64_MAX));
  EXPECT_EQ(read("-9223372036854775808"), std::optional<std::int64_t>(INT64_MIN));
  EXPECT_EQ(read("9223372036854775808"), std::nullopt);
  EXPECT_EQ(read("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(read("18446744073709551616"), std::nullopt);
  EXPECT_EQ(read("0"), std::optional<std::int64_t>(0));
  EXPECT_EQ(read("-0"), std::optional<std::int64_t>(0));
  EXPECT_EQ(read(" 1795622715,"), std::optional<std::int64_t>(1795622715));
  EXPECT_EQ(read("-"), std::nullopt);
  EXPECT_EQ(read("00"), std::nullopt);
  EXPECT_EQ(read("1e2"), std::nullopt);
  JsonCursor c("12345678901234567890123 7");  // refused: the cursor has not moved
  EXPECT_EQ(c.integer(), std::nullopt);
  EXPECT_EQ(c.number_token(), "12345678901234567890123");
}

TEST(JsonCursor, RefusesNestingBeyondTheLimit) {
  const std::string deep =
      std::string(JsonCursor::kMaxDepth + 2, '[') + std::string(JsonCursor::kMaxDepth + 2, ']');
  EXPECT_FALSE(skips(deep));
  const std::string ok = std::string(8, '[') + std::string(8, ']');
  EXPECT_TRUE(skips(ok));
}

// The pieces the differential tests below build strings from: plain text, every escape the
// cursor reads, \u escapes (left to nlohmann, surrogate pairs included), raw control bytes, DEL,
// valid UTF-8 of every length and invalid sequences (truncated, overlong, surrogates, stray
// continuation bytes, above U+10FFFF).
const std::vector<std::string>& string_pieces() {
  static const std::vector<std::string> pieces = {"a",
                                                  "Z",
                                                  " ",
                                                  "0",
                                                  "~",
                                                  "\\\"",
                                                  "\\\\",
                                                  "\\/",
                                                  "\\b",
                                                  "\\f",
                                                  "\\n",
                                                  "\\r",
                                                  "\\t",
                                                  "\\u0041",
                                                  "\\ud83d\\ude00",
                                                  "\\x",
                                                  "\\",
                                                  "\x01",
                                                  "\x1f",
                                                  "\t",
                                                  "\x7f",
                                                  "\xc3\xa9",
                                                  "\xe2\x82\xac",
                                                  "\xf0\x9f\x98\x80",
                                                  "\xc3",
                                                  "\xe2\x82",
                                                  "\xc0\xaf",
                                                  "\xed\xa0\x80",
                                                  "\x80",
                                                  "\xf4\x90\x80\x80",
                                                  "\xff"};
  return pieces;
}

// One string read by the cursor at `offset` bytes into a text that goes on for `tail` more
// bytes (and its closing bracket), as a value and as a key, against nlohmann reading the same text:
// what the cursor accepts must be valid JSON with the same value, and it must accept every valid
// string without \u escapes.
void expect_string_agrees(const std::string& body, std::size_t offset, std::size_t tail) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on chains of operator+.
  std::string as_value = "[";
  as_value.append(offset, ' ').append("\"").append(body).append("\"");
  const char next = tail == 0 ? ']' : ',';  // what follows the string
  if (tail > 0) as_value.append(",").append(tail, '1');
  as_value += ']';
  const auto reference = nlohmann::json::parse(as_value, nullptr, false);
  const bool has_u = body.find("\\u") != std::string::npos;

  JsonCursor value_cursor(as_value);
  ASSERT_TRUE(value_cursor.consume('['));
  const auto value = value_cursor.string_view();
  if (reference.is_discarded() || has_u) {
    EXPECT_FALSE(value) << as_value;
  } else {
    ASSERT_TRUE(value) << as_value;
    EXPECT_EQ(*value, reference[0].get<std::string>()) << as_value;
    EXPECT_TRUE(value_cursor.consume(next)) << as_value;  // it stopped right after the string
  }

  std::string as_key = "{";
  as_key.append(offset, ' ').append("\"").append(body).append("\":").append(tail + 1, '2');
  as_key += '}';
  const auto key_reference = nlohmann::json::parse(as_key, nullptr, false);
  JsonCursor key_cursor(as_key);
  ASSERT_TRUE(key_cursor.consume('{'));
  bool first = true;
  std::string_view key;
  const JsonCursor::Step step = key_cursor.next_member(first, key);
  if (key_reference.is_discarded() || has_u) {
    EXPECT_EQ(step, JsonCursor::Step::kError) << as_key;
  } else {
    ASSERT_EQ(step, JsonCursor::Step::kItem) << as_key;
    EXPECT_EQ(key, key_reference.begin().key()) << as_key;
  }
  // Skipping checks the same text.
  JsonCursor skip_cursor(as_value);
  EXPECT_EQ(skip_cursor.skip_value() && skip_cursor.at_end(), !reference.is_discarded() && !has_u)
      << as_value;
}

TEST(JsonCursor, StringsAgreeWithNlohmannForEveryPieceAtEveryOffset) {
  // Each piece at every position of a string long enough for two 16-byte steps, with the text
  // ending at every distance after it: the fast scan and the general one meet every case.
  for (const std::string& piece : string_pieces()) {
    for (std::size_t at = 0; at <= 34; ++at) {
      std::string ending = std::string(at, 'x');  // the piece ends the string
      ending += piece;
      std::string body = ending;
      body.append(34 - at, 'y');
      for (std::size_t tail : {0, 1, 7, 15, 16, 33}) {
        expect_string_agrees(body, at % 3, tail);
        expect_string_agrees(ending, 0, tail);
      }
    }
  }
}

TEST(JsonCursor, RandomStringsAgreeWithNlohmann) {
  std::mt19937 random(20261126);
  const auto& pieces = string_pieces();
  std::uniform_int_distribution<std::size_t> length(0, 24);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> plain(0, 5);  // mostly plain bytes, as real text is
  std::uniform_int_distribution<std::size_t> small(0, 20);
  for (int round = 0; round < 4000; ++round) {
    std::string body;
    for (std::size_t n = length(random); n > 0; --n) {
      if (plain(random) != 0) {
        body += static_cast<char>('a' + n % 26);
      } else {
        body += pieces[pick(random)];
      }
    }
    expect_string_agrees(body, small(random) % 4, small(random));
  }
}

}  // namespace
}  // namespace osprey::providers
