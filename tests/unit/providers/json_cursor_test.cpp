// JsonCursor: the DOM-free reader of the hot paths. Whatever it accepts must be valid JSON read
// the way nlohmann reads it; whatever it refuses falls back to nlohmann.
#include "providers/json_cursor.h"

#include <gtest/gtest.h>

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
  for (std::string_view text : {"[1,]",
                                "{\"a\":1,}",
                                "{,}",
                                "[,1]",
                                "01",
                                "1.",
                                ".5",
                                "+1",
                                "1e",
                                "-",
                                "tru",
                                "nul",
                                "\"unterminated",
                                "\"tab\there\"",
                                "\"\xC3\"",
                                "\"\xED\xA0\x80\"",
                                "\"\xC0\xAF\"",
                                R"("bad \x escape")",
                                "{\"a\" 1}",
                                "{1:2}",
                                "[1 2]",
                                "{\"a\":1} x",
                                "[",
                                "{"}) {
    const bool valid = !nlohmann::json::parse(text, nullptr, false).is_discarded();
    ASSERT_FALSE(valid) << text;
    EXPECT_FALSE(skips(text)) << text;
  }
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

}  // namespace
}  // namespace osprey::providers
