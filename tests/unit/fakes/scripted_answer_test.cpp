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

TEST(ScriptedAnswer, ScriptPicksTheFirstRuleWhoseTextOccursInTheLastUserMessage) {
  auto script = parse_script(json::parse(R"([
    {"when": "a.py", "tool_arguments": {"complianceStatus": "non_compliant", "findings": [1]}},
    {"when": "b.py", "text": "I cannot help with that."},
    {"when": ".py", "tool_arguments": {"complianceStatus": "compliant"}}
  ])"));
  ASSERT_TRUE(script.ok()) << script.error().message;
  ChatTurn turn;
  turn.first_tool = OfferedTool{"report_findings", json()};
  turn.last_user_text = "Review the file `a.py` please";
  ScriptedAnswer a = plan_answer(turn, *script);
  EXPECT_EQ(a.kind, ScriptedAnswer::Kind::kToolCall);
  EXPECT_EQ(a.tool_name, "report_findings");
  EXPECT_EQ(a.arguments["complianceStatus"], "non_compliant");

  turn.last_user_text = "Review the file `b.py` please";
  a = plan_answer(turn, *script);
  EXPECT_EQ(a.kind, ScriptedAnswer::Kind::kText);
  EXPECT_EQ(a.text, "I cannot help with that.");

  turn.last_user_text = "Review the file `c.py` please";
  EXPECT_EQ(plan_answer(turn, *script).arguments,
            json::parse(R"({"complianceStatus":"compliant"})"));

  // No rule matches: the default answer (first tool, arguments from its schema).
  turn.last_user_text = "Review the file `c.go` please";
  a = plan_answer(turn, *script);
  EXPECT_EQ(a.kind, ScriptedAnswer::Kind::kToolCall);
  EXPECT_EQ(a.arguments, json::object());

  // Tool arguments without an offered tool come back as their JSON text.
  turn.first_tool.reset();
  turn.last_user_text = "c.py";
  EXPECT_EQ(plan_answer(turn, *script).text, R"({"complianceStatus":"compliant"})");
}

TEST(ScriptedAnswer, MalformedScriptsAreErrorsNamingTheElement) {
  EXPECT_FALSE(parse_script(json::object()).ok());
  auto bad = parse_script(json::parse(R"([{"when": "x", "text": "ok"}, {"text": "y"}])"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("script[1].when"), std::string::npos);
  bad = parse_script(json::parse(R"([{"when": "x"}])"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("script[0]"), std::string::npos);
  bad = parse_script(json::parse(R"([{"when": "x", "tool_arguments": [1]}])"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("tool_arguments"), std::string::npos);
}

}  // namespace
}  // namespace osprey::fakes
