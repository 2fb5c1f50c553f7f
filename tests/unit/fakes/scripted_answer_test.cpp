#include "fakes/scripted_answer.h"

#include <gtest/gtest.h>

namespace osprey::fakes {
namespace {

using nlohmann::json;

TEST(ScriptedAnswer, ArgumentsFillRequiredPropertiesByType) {
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "city": {"type": "string"}, "days": {"type": "integer"}, "ratio": {"type": "number"},
      "metric": {"type": "boolean"}, "unit": {"type": "string", "enum": ["c", "f"]},
      "optional": {"type": "string"}, "where": {"type": "object",
        "properties": {"lat": {"type": "number"}}, "required": ["lat"]}
    },
    "required": ["city", "days", "ratio", "metric", "unit", "where"]
  })");
  const json args = arguments_from_schema(schema);
  EXPECT_EQ(args, json::parse(R"({"city":"test","days":1,"ratio":1,"metric":true,"unit":"c",
                                  "where":{"lat":1}})"));
  EXPECT_FALSE(args.contains("optional"));
}

TEST(ScriptedAnswer, ArgumentsOfAMissingOrOddSchemaAreAnEmptyObject) {
  EXPECT_EQ(arguments_from_schema(json()), json::object());
  EXPECT_EQ(arguments_from_schema(json::parse(R"({"required": "city"})")), json::object());
}

TEST(ScriptedAnswer, SplitWordsConcatenatesBackToTheText) {
  const std::string text = "echo: hello  big world";
  const auto pieces = split_words(text);
  ASSERT_GT(pieces.size(), 2u);
  std::string joined;
  for (const auto& p : pieces) joined += p;
  EXPECT_EQ(joined, text);
  EXPECT_EQ(count_words(text), 4);
}

TEST(ScriptedAnswer, EchoesTheLastUserTextWithWordCountUsage) {
  ChatTurn turn;
  turn.last_user_text = "hello there";
  turn.input_words = 5;
  const ScriptedAnswer a = plan_answer(turn);
  EXPECT_EQ(a.kind, ScriptedAnswer::Kind::kText);
  EXPECT_EQ(a.text, "echo: hello there");
  EXPECT_EQ(a.input_tokens, 5);
  EXPECT_EQ(a.output_tokens, 3);
}

TEST(ScriptedAnswer, CallsTheFirstToolUnlessAnsweringAToolResult) {
  ChatTurn turn;
  turn.last_user_text = "weather?";
  turn.first_tool = OfferedTool{"get_weather", json::parse(R"({"required":["city"]})")};
  ScriptedAnswer a = plan_answer(turn);
  EXPECT_EQ(a.kind, ScriptedAnswer::Kind::kToolCall);
  EXPECT_EQ(a.tool_name, "get_weather");
  EXPECT_EQ(a.arguments, json::parse(R"({"city":"test"})"));

  turn.last_is_tool_result = true;
  turn.tool_result_text = "sunny";
  a = plan_answer(turn);
  EXPECT_EQ(a.kind, ScriptedAnswer::Kind::kText);
  EXPECT_EQ(a.text, "tool result: sunny");
}

}  // namespace
}  // namespace osprey::fakes
