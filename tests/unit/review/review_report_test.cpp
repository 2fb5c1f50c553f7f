#include "review/review_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "review_fixture.h"

namespace osprey::review {
namespace {

using nlohmann::json;

json answer_line(const std::string& custom_id, const json& arguments) {
  return {{"custom_id", custom_id},
          {"response",
           {{"status_code", 200},
            {"body",
             {{"choices",
               {{{"message",
                  {{"role", "assistant"},
                   {"tool_calls",
                    {{{"type", "function"},
                      {"function",
                       {{"name", "report_findings"}, {"arguments", arguments.dump()}}}}}}}}}}}}}}},
          {"error", nullptr}};
}

class ReviewReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_ = parse_rule_set_text(testing::kMultiLanguageRules).value();
    plan_.languages = {"python"};
    plan_.categories = {"python-general"};
    plan_.files_in_repository = 5;
    plan_.files_to_review = 4;
    plan_.tasks = {
        {.custom_id = "r1", .file = "src/b.py", .category = "python-general", .rule_ids = {"PY1"}},
        {.custom_id = "r2", .file = "src/a.py", .category = "python-general", .rule_ids = {"PY1"}},
        {.custom_id = "r3", .file = "src/c.py", .category = "python-general", .rule_ids = {"PY2"}},
        {.custom_id = "r4", .file = "src/d.py", .category = "python-general", .rule_ids = {"PY1"}},
        {.custom_id = "r5", .file = "src/e.py", .category = "python-general", .rule_ids = {"PY1"}},
    };
    plan_.issues = {{.file = "src/huge.py",
                     .rule_ids = {"PY1"},
                     .code = "file_too_large",
                     .message = "too big"}};
    unsent_ = {{.file = "src/e.py",
                .rule_ids = {"PY1"},
                .custom_id = "r5",
                .code = "binary_file",
                .message = "NUL"}};
    outputs_["r1"] = answer_line("r1", json::parse(R"({"complianceStatus": "non_compliant",
        "findings": [{"rule": "PY1", "file": "src/b.py", "snippet": "except:",
                      "description": "Bare | except.", "suggestion": "Name it."}]})"));
    outputs_["r2"] = answer_line("r2", json::parse(R"({"complianceStatus": "compliant",
        "findings": []})"));
    outputs_["r3"] = answer_line("r3", json::parse(R"({"complianceStatus": "sure"})"));
    // r4: no output line at all.
  }

  ReviewReport assemble() const {
    return assemble_report(plan_, unsent_, outputs_,
                           [](std::string_view path) -> Result<std::string> {
                             if (path == "src/b.py")
                               return std::string("x = 1\ntry:\n    f()\nexcept:\n    pass\n");
                             return make_error(ErrorCode::kInvalidRequest, "no");
                           });
  }

  RuleSet rules_;
  ReviewPlan plan_;
  std::vector<ReviewIssue> unsent_;
  std::map<std::string, json> outputs_;
};

TEST_F(ReviewReportTest, JoinsThePlanWithTheOutputs) {
  const ReviewReport report = assemble();
  ASSERT_EQ(report.verdicts.size(), 5u);
  EXPECT_EQ(report.verdicts[0].status, "non_compliant");
  EXPECT_EQ(report.verdicts[1].status, "compliant");
  EXPECT_EQ(report.verdicts[2].status, "error");
  EXPECT_EQ(report.verdicts[3].status, "error");
  EXPECT_EQ(report.verdicts[4].status, "error");
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].line, 4);  // placed from the snippet
  std::vector<std::string> codes;
  for (const ReviewIssue& i : report.issues) codes.push_back(i.file + ":" + i.code);
  EXPECT_EQ(codes,
            (std::vector<std::string>{"src/c.py:invalid_answer", "src/d.py:missing_result",
                                      "src/e.py:binary_file", "src/huge.py:file_too_large"}));
}

TEST_F(ReviewReportTest, FindingsJsonHasAStableSchema) {
  ReviewReport report = assemble();
  report.meta = {{"model", "gpt-4o-mini"}, {"batch_id", "batch_1"}};
  const json j = findings_json(report);
  EXPECT_EQ(j["schema"], "osprey.review.findings/v1");
  EXPECT_EQ(j["meta"]["model"], "gpt-4o-mini");
  const json& s = j["summary"];
  EXPECT_EQ(s["files_in_repository"], 5);
  EXPECT_EQ(s["files_to_review"], 4);
  EXPECT_EQ(s["files_with_errors"], 4);
  EXPECT_EQ(s["requests"], 5);
  EXPECT_EQ(s["compliant"], 1);
  EXPECT_EQ(s["non_compliant"], 1);
  EXPECT_EQ(s["not_applicable"], 0);
  EXPECT_EQ(s["failed_requests"], 3);
  EXPECT_EQ(s["findings"], 1);
  EXPECT_EQ(s["errors"], 4);
  EXPECT_EQ(s["findings_by_rule"], json::parse(R"({"PY1": 1})"));
  EXPECT_EQ(s["errors_by_code"]["missing_result"], 1);
  EXPECT_EQ(j["findings"][0],
            json::parse(R"({"rule": "PY1", "category": "python-general", "file": "src/b.py",
                            "line": 4, "snippet": "except:", "description": "Bare | except.",
                            "suggestion": "Name it."})"));
  EXPECT_EQ(j["errors"][1]["code"], "missing_result");
  EXPECT_EQ(j["errors"][1]["custom_id"], "r4");
  EXPECT_EQ(j["results"][0]["status"], "non_compliant");
  EXPECT_EQ(j["results"][0]["findings"], 1);
}

TEST_F(ReviewReportTest, MarkdownGroupsFindingsByCategoryAndRule) {
  ReviewReport report = assemble();
  report.meta = {{"model", "gpt-4o-mini"}};
  const std::string md = report_markdown(report, rules_);
  EXPECT_NE(md.find("Model: `gpt-4o-mini`"), std::string::npos);
  EXPECT_NE(md.find("### python-general\n\n#### PY1 (1)\n\n> No bare except clauses."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- **src/b.py:4**: Bare \\| except."), std::string::npos) << md;
  EXPECT_NE(md.find("  ```\n  except:\n  ```"), std::string::npos) << md;
  EXPECT_NE(md.find("Suggestion: Name it."), std::string::npos);
  EXPECT_NE(md.find("| src/d.py | PY1 | missing_result |"), std::string::npos) << md;
  EXPECT_NE(md.find("| src/a.py | python-general | PY1 | compliant | 0 |"), std::string::npos);
}

TEST_F(ReviewReportTest, WritesBothFilesIntoTheDirectory) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("osprey-review-out-" + std::to_string(::getpid())) / "nested")
                              .string();
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
  ASSERT_TRUE(write_review_report(dir, assemble(), rules_).ok());
  std::ifstream findings(dir + "/findings.json");
  std::stringstream text;
  text << findings.rdbuf();
  const json j = json::parse(text.str());
  EXPECT_EQ(j["summary"]["findings"], 1);
  EXPECT_TRUE(std::filesystem::exists(dir + "/report.md"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/.findings.json.tmp"));
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
}

}  // namespace
}  // namespace osprey::review
