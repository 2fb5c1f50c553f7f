#include "review/review_answer.h"

#include <gtest/gtest.h>

namespace osprey::review {
namespace {

using nlohmann::json;

ReviewTask task() {
  return ReviewTask{.custom_id = "review-000002",
                    .file = "src/a.py",
                    .category = "python-general",
                    .rule_ids = {"PY1", "PY2"}};
}

// A batch output line whose chat completion carries `message`.
json output_with(const json& message, int status = 200) {
  return {
      {"id", "batch_req_1"},
      {"custom_id", "review-000002"},
      {"response",
       {{"status_code", status},
        {"request_id", "req_1"},
        {"body",
         {{"object", "chat.completion"}, {"choices", {{{"index", 0}, {"message", message}}}}}}}},
      {"error", nullptr}};
}

json tool_call(const std::string& name, const json& arguments) {
  return {{"role", "assistant"},
          {"content", nullptr},
          {"tool_calls",
           {{{"id", "call_1"},
             {"type", "function"},
             {"function",
              {{"name", name},
               {"arguments", arguments.is_string() ? arguments : json(arguments.dump())}}}}}}};
}

const json kGood = json::parse(R"({
  "complianceStatus": "non_compliant",
  "findings": [
    {"rule": "PY1", "file": "src/a.py", "line": 3, "snippet": "except:",
     "description": "Bare except swallows every error.", "suggestion": "Catch ValueError."},
    {"rule": "PY2", "snippet": "m._cache", "description": "Private member used."}
  ]})");

TEST(ReviewAnswerTest, ToolCallArgumentsBecomeFindings) {
  auto answer = parse_answer(output_with(tool_call("report_findings", kGood)), task());
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, "non_compliant");
  ASSERT_EQ(answer->findings.size(), 2u);
  const Finding& f = answer->findings[0];
  EXPECT_EQ(f.rule, "PY1");
  EXPECT_EQ(f.category, "python-general");
  EXPECT_EQ(f.file, "src/a.py");
  EXPECT_EQ(f.line, 3);
  EXPECT_EQ(f.snippet, "except:");
  EXPECT_EQ(f.suggestion, "Catch ValueError.");
  // Optional fields: the file defaults to the reviewed one, the line stays unknown.
  EXPECT_EQ(answer->findings[1].file, "src/a.py");
  EXPECT_EQ(answer->findings[1].line, 0);
  EXPECT_EQ(answer->findings[1].suggestion, "");
}

TEST(ReviewAnswerTest, CompliantAnswerWithoutFindings) {
  auto answer = parse_answer(
      output_with(tool_call("report_findings", json::parse(R"({"complianceStatus":"compliant"})"))),
      task());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->status, "compliant");
  EXPECT_TRUE(answer->findings.empty());
}

TEST(ReviewAnswerTest, OtherToolCallsAreIgnored) {
  json message = tool_call("report_findings", kGood);
  message["tool_calls"].insert(
      message["tool_calls"].begin(),
      {{"id", "c0"}, {"type", "function"}, {"function", {{"name", "think"}, {"arguments", "{}"}}}});
  EXPECT_TRUE(parse_answer(output_with(message), task()).ok());
}

TEST(ReviewAnswerTest, UnambiguousJsonTextIsAcceptedWithoutAToolCall) {
  json whole = {{"role", "assistant"}, {"content", kGood.dump()}};
  EXPECT_TRUE(parse_answer(output_with(whole), task()).ok());
  json fenced = {{"role", "assistant"},
                 {"content", "Here is my review:\n```json\n" + kGood.dump() + "\n```\nDone."}};
  auto answer = parse_answer(output_with(fenced), task());
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->findings.size(), 2u);
}

TEST(ReviewAnswerTest, AmbiguousOrPlainTextIsNoToolCall) {
  json two = {
      {"role", "assistant"},
      {"content", "```json\n" + kGood.dump() + "\n```\n```json\n" + kGood.dump() + "\n```"}};
  auto answer = parse_answer(output_with(two), task());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "no_tool_call");
  json prose = {{"role", "assistant"}, {"content", "The file looks fine to me."}};
  answer = parse_answer(output_with(prose), task());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "no_tool_call");
  EXPECT_NE(answer.error().message.find("The file looks fine to me."), std::string::npos);
  EXPECT_EQ(answer.error().file, "src/a.py");
  EXPECT_EQ(answer.error().custom_id, "review-000002");
}

TEST(ReviewAnswerTest, MalformedArgumentsAreInvalidAnswersNamingTheField) {
  struct Case {
    json arguments;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {json("{\"complianceStatus\": \"compl"), "not a JSON object"},
      {json("[1,2]"), "not a JSON object"},
      {json::parse(R"({"findings": []})"), "complianceStatus: missing"},
      {json::parse(R"({"complianceStatus": "maybe", "findings": []})"),
       "complianceStatus: \"maybe\" is not"},
      {json::parse(R"({"complianceStatus": "non_compliant"})"), "findings: missing"},
      {json::parse(R"({"complianceStatus": "non_compliant", "findings": {}})"),
       "findings: not an array"},
      {json::parse(R"({"complianceStatus": "non_compliant", "findings": [7]})"),
       "findings[0]: not an object"},
      {json::parse(R"({"complianceStatus": "non_compliant",
                       "findings": [{"rule": "PY9", "description": "x"}]})"),
       "findings[0].rule: \"PY9\" is not one of the rules asked"},
      {json::parse(R"({"complianceStatus": "non_compliant", "findings": [{"rule": "PY1"}]})"),
       "findings[0].description: missing or empty"},
  };
  for (const Case& c : cases) {
    auto answer = parse_answer(output_with(tool_call("report_findings", c.arguments)), task());
    ASSERT_FALSE(answer.ok()) << c.arguments;
    EXPECT_EQ(answer.error().code, "invalid_answer") << c.arguments;
    EXPECT_NE(answer.error().message.find(c.expected), std::string::npos) << answer.error().message;
  }
}

TEST(ReviewAnswerTest, TwoReportCallsAreInvalid) {
  json message = tool_call("report_findings", kGood);
  message["tool_calls"].push_back(message["tool_calls"][0]);
  auto answer = parse_answer(output_with(message), task());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "invalid_answer");
}

TEST(ReviewAnswerTest, UpstreamErrorsAreUpstreamIssues) {
  json failed = output_with(json::object(), 429);
  failed["response"]["body"] = {{"error", {{"message", "Rate limit reached"}}}};
  auto answer = parse_answer(failed, task());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "upstream_error");
  EXPECT_EQ(answer.error().message, "HTTP 429: Rate limit reached");

  json errored = {{"id", "b"},
                  {"custom_id", "review-000002"},
                  {"response", nullptr},
                  {"error", {{"code", "batch_expired"}, {"message", "not run in time"}}}};
  answer = parse_answer(errored, task());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "upstream_error");
  EXPECT_EQ(answer.error().message, "batch_expired: not run in time");

  for (const json& odd : {json(), json::array(), json{{"response", "x"}},
                          json{{"response", {{"status_code", 200}, {"body", "x"}}}}}) {
    auto r = parse_answer(odd, task());
    ASSERT_FALSE(r.ok()) << odd;
  }
}

TEST(LocateSnippetTest, FindsTheFirstLineHoldingTheSnippet) {
  const std::string content = "a = 1\ntry:\n    go()\nexcept:\n    pass\n";
  EXPECT_EQ(locate_snippet(content, "except:"), 4);
  EXPECT_EQ(locate_snippet(content, "\n   go()  \n except:"), 3);
  EXPECT_EQ(locate_snippet(content, "nothing"), 0);
  EXPECT_EQ(locate_snippet(content, "  \n"), 0);
}

}  // namespace
}  // namespace osprey::review
