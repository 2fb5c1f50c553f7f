#include "review/review_request.h"

#include <gtest/gtest.h>

#include <map>

#include "review_fixture.h"

namespace osprey::review {
namespace {

using nlohmann::json;

FileReader map_reader(std::map<std::string, std::string> files) {
  return [files = std::move(files)](std::string_view path) -> Result<std::string> {
    auto it = files.find(std::string(path));
    if (it == files.end()) return make_error(ErrorCode::kInvalidRequest, "cannot read file");
    return it->second;
  };
}

class ReviewRequestTest : public ::testing::Test {
 protected:
  void SetUp() override { rules_ = parse_rule_set_text(testing::kMultiLanguageRules).value(); }

  ReviewTask task() const {
    return ReviewTask{.custom_id = "review-000007",
                      .file = "src/orders/service.py",
                      .category = "python-general",
                      .rule_ids = {"PY1", "PY2"},
                      .context_files = {"src/orders/order_manager.py"},
                      .omitted_context = {"src/big_manager.py"}};
  }

  RuleSet rules_;
};

TEST_F(ReviewRequestTest, LineIsAnOpenAiBatchChatRequestForcingTheReportTool) {
  auto line = build_request_line(
      task(), rules_,
      map_reader({{"src/orders/service.py", "try:\n    go()\nexcept:\n    pass\n"},
                  {"src/orders/order_manager.py", "class OrderManager: ...\n"}}),
      {.model = "gpt-4o-mini", .max_tokens = 2000});
  ASSERT_TRUE(line.ok()) << line.error().message;
  EXPECT_EQ((*line)["custom_id"], "review-000007");
  EXPECT_EQ((*line)["method"], "POST");
  EXPECT_EQ((*line)["url"], "/v1/chat/completions");
  const json& body = (*line)["body"];
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["temperature"], 0);  // an explicit 0, not dropped
  EXPECT_EQ(body["max_tokens"], 2000);
  ASSERT_EQ(body["tools"].size(), 1u);
  EXPECT_EQ(body["tools"][0]["type"], "function");
  EXPECT_EQ(body["tools"][0]["function"]["name"], "report_findings");
  EXPECT_EQ(body["tool_choice"],
            json::parse(R"({"type":"function","function":{"name":"report_findings"}})"));
  const json& schema = body["tools"][0]["function"]["parameters"];
  EXPECT_EQ(schema["required"], json::parse(R"(["complianceStatus","findings"])"));
  EXPECT_EQ(schema["properties"]["complianceStatus"]["enum"],
            json::parse(R"(["compliant","non_compliant","not_applicable"])"));
  EXPECT_EQ(schema["properties"]["findings"]["items"]["properties"]["rule"]["enum"],
            json::parse(R"(["PY1","PY2"])"));

  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  const std::string user = body["messages"][1]["content"];
  EXPECT_NE(user.find("Review the file `src/orders/service.py`"), std::string::npos);
  EXPECT_NE(user.find("- PY1: No bare except clauses."), std::string::npos);
  EXPECT_NE(user.find("- PY2: Managers are used through their public methods."), std::string::npos);
  EXPECT_NE(user.find("```\n1 | try:\n2 |     go()\n3 | except:\n4 |     pass\n```"),
            std::string::npos)
      << user;
  EXPECT_NE(user.find("File: src/orders/order_manager.py\n```\nclass OrderManager: ...\n```"),
            std::string::npos);
  EXPECT_NE(user.find("left out for size: src/big_manager.py"), std::string::npos);
}

TEST_F(ReviewRequestTest, UnreadableOrBinaryFilesArePerFileIssues) {
  auto missing = build_request_line(task(), rules_, map_reader({}), {.model = "m"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "unreadable_file");
  EXPECT_EQ(missing.error().custom_id, "review-000007");
  EXPECT_EQ(missing.error().rule_ids, (std::vector<std::string>{"PY1", "PY2"}));

  auto binary = build_request_line(task(), rules_,
                                   map_reader({{"src/orders/service.py", std::string("a\0b", 3)}}),
                                   {.model = "m"});
  ASSERT_FALSE(binary.ok());
  EXPECT_EQ(binary.error().code, "binary_file");
}

TEST_F(ReviewRequestTest, MissingContextFilesAreLeftOutAndBadUtf8IsReplaced) {
  auto line = build_request_line(
      task(), rules_, map_reader({{"src/orders/service.py", "x = '\xff'\n"}}), {.model = "m"});
  ASSERT_TRUE(line.ok());
  const std::string user = (*line)["body"]["messages"][1]["content"];
  EXPECT_EQ(user.find("File: src/orders/order_manager.py"), std::string::npos);
  EXPECT_NE(user.find("x = '\xEF\xBF\xBD'"), std::string::npos);
  EXPECT_NO_THROW((void)line->dump());
}

TEST(LineNumbersTest, NumbersAreRightAligned) {
  EXPECT_EQ(with_line_numbers(""), "");
  EXPECT_EQ(with_line_numbers("a"), "1 | a\n");
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += "x\n";
  const std::string numbered = with_line_numbers(ten);
  EXPECT_TRUE(numbered.starts_with(" 1 | x\n 2 | x\n"));
  EXPECT_TRUE(numbered.ends_with("10 | x\n"));
}

TEST(LineNumbersTest, FencesOutgrowBackticksInTheFile) {
  RuleSet rules = parse_rule_set_text(testing::kMultiLanguageRules).value();
  ReviewTask t{.custom_id = "c", .file = "a.py", .category = "python-general", .rule_ids = {"PY1"}};
  auto line = build_request_line(
      t, rules, [](std::string_view) -> Result<std::string> { return std::string("s = '```'\n"); },
      {.model = "m"});
  ASSERT_TRUE(line.ok());
  const std::string user = (*line)["body"]["messages"][1]["content"];
  EXPECT_NE(user.find("````\n1 | s = '```'\n````"), std::string::npos) << user;
}

}  // namespace
}  // namespace osprey::review
