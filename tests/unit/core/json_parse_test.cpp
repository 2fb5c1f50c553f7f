// parse_json refuses text nested deeper than kMaxJsonDepth (which the recursive writers could
// not take) and parses the rest as nlohmann does.
#include "core/json_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace osprey {
namespace {

std::string nested(int levels) {
  return std::string(static_cast<std::size_t>(levels), '[') +
         std::string(static_cast<std::size_t>(levels), ']');
}

TEST(JsonParse, NestingIsCountedOutsideStringsOnly) {
  EXPECT_FALSE(json_nesting_exceeds(nested(3), 3));
  EXPECT_TRUE(json_nesting_exceeds(nested(4), 3));
  EXPECT_TRUE(json_nesting_exceeds(R"({"a":[{"b":[]}]})", 3));
  EXPECT_FALSE(json_nesting_exceeds(R"({"a":[1],"b":{"c":[]}})", 3));
  // Brackets in strings, escaped quotes and escaped backslashes before a closing quote.
  EXPECT_FALSE(json_nesting_exceeds(R"(["[[[[{{{{"])", 1));
  EXPECT_FALSE(json_nesting_exceeds(R"(["\"[[[[", "x"])", 1));
  EXPECT_TRUE(json_nesting_exceeds(R"(["\\", [[]]])", 2));
  EXPECT_FALSE(json_nesting_exceeds(R"(["\\\"[[[", 1])", 1));
  // Not JSON at all: an unterminated string ends the scan.
  EXPECT_FALSE(json_nesting_exceeds(R"(["[[[[)", 1));
  EXPECT_TRUE(json_nesting_exceeds("]]]]" + nested(4), 3));
}

TEST(JsonParse, TooDeepIsRefusedLikeInvalidText) {
  EXPECT_FALSE(parse_json(nested(kMaxJsonDepth)).is_discarded());
  std::string objects;  // {"a":{"a":...{}...}}, kMaxJsonDepth levels
  for (int i = 1; i < kMaxJsonDepth; ++i) objects += R"({"a":)";
  objects += "{}" + std::string(kMaxJsonDepth - 1, '}');
  EXPECT_FALSE(parse_json(objects).is_discarded());
  EXPECT_TRUE(parse_json(R"({"a":)" + objects + "}").is_discarded());
  EXPECT_TRUE(parse_json(nested(kMaxJsonDepth + 1)).is_discarded());
  EXPECT_EQ(json_refusal(nested(kMaxJsonDepth + 1)), "nested deeper than 128 levels");
  // 100,000 levels: refused before nlohmann builds (and then would dump) anything.
  const std::string deep = nested(100000);
  EXPECT_TRUE(parse_json(deep).is_discarded());
  EXPECT_EQ(json_refusal(deep), "nested deeper than 128 levels");
  EXPECT_TRUE(parse_json("{").is_discarded());
  EXPECT_EQ(json_refusal("{"), "not valid JSON");
  const nlohmann::json doc = parse_json(R"({"a":[1,"]]]"]})");
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["a"][1], "]]]");
}

}  // namespace
}  // namespace osprey
