// `osprey review` end to end: the CLI plans a code review of the fixture repository
// (tests/fixtures/review/repo) with system 000's rules file (../shared/code-expert/rules.json,
// read in place), submits it as a batch through the real server, and a fake OpenAI-compatible
// upstream answers each request through the report_findings tool, scripted per file; and its
// usage errors (bad rules file named by field path, missing flags, unknown mode, missing
// repository).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "integration/fake_upstream_process.h"
#include "integration/http_client.h"
#include "integration/osprey_process.h"

namespace osprey::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// System 000's rules file, found beside the checkout (../shared) or above it.
std::string shared_rules_file() {
  if (const char* env = std::getenv("OSPREY_SHARED_DIR"); env != nullptr && *env != '\0') {
    return std::string(env) + "/code-expert/rules.json";
  }
  for (fs::path dir = fs::absolute(source_dir()); !dir.empty(); dir = dir.parent_path()) {
    const fs::path candidate = dir / "shared" / "code-expert" / "rules.json";
    if (fs::exists(candidate)) return candidate.string();
    if (dir == dir.parent_path()) break;
  }
  return {};
}

std::string fixture_repo() { return source_dir() + "/tests/fixtures/review/repo"; }

// The user message of a review request starts with this for `file` and its first rule.
std::string asks(const std::string& file, const std::string& first_rule) {
  return "Review the file `" + file + "` against these rules (category test-python):\n\n- " +
         first_rule + ":";
}

json script() {
  return json::array({
      {{"when", "Review the file `src/legacy/parser.py`"},
       {"text", "Sorry, I cannot review this file."}},
      {{"when", asks("src/orders/report.py", "python-1")},
       {"tool_arguments",
        {{"complianceStatus", "non_compliant"},
         {"findings",
          {{{"rule", "python-1"},
            {"file", "src/orders/report.py"},
            {"snippet", "class Report:"},
            {"description", "Report has 12 methods doing unrelated jobs."},
            {"suggestion",
             "Split rendering, delivery and scheduling into their own classes."}}}}}}},
      {{"when", asks("src/orders/service.py", "python-1")},
       {"tool_arguments",
        {{"complianceStatus", "non_compliant"},
         {"findings",
          {{{"rule", "python-2"},
            {"file", "src/orders/service.py"},
            {"line", 16},
            {"snippet", "except:\n    pass"},
            {"description", "A bare except silently swallows every error."},
            {"suggestion", "Catch the reservation error and log it."}}}}}}},
      {{"when", asks("src/__init__.py", "python-3")},
       {"tool_arguments", {{"complianceStatus", "maybe"}, {"findings", json::array()}}}},
  });
}

class ReviewCli : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_ = shared_rules_file();
    if (rules_.empty()) GTEST_SKIP() << "../shared/code-expert/rules.json not found";
    write_file(dir_.path() + "/script.json", script().dump());
    fake_ = std::make_unique<FakeUpstreamProcess>(
        std::vector<std::string>{"--vendor", "openai", "--script", dir_.path() + "/script.json"});
    ASSERT_NE(fake_->port(), 0);
    write_file(dir_.path() + "/osprey.yaml",
               "models:\n"
               "  - name: reviewer\n"
               "    deployments:\n"
               "      - id: reviewer@fake\n"
               "        adapter: openai\n"
               "        base_url: " +
                   fake_->url() +
                   "\n"
                   "        model: upstream-reviewer\n");
    ProcessOptions options;
    options.args = {"--config", dir_.path() + "/osprey.yaml", "--set", "jobs.poll_ms=20"};
    server_ = OspreyProcess::start(options);
    ASSERT_NE(server_, nullptr);
  }

  CommandResult review(const std::string& repo, const std::string& out) {
    return run_osprey(
        {"review", repo, "--rules", rules_, "--model", "reviewer", "--out", out, "--poll-ms", "50",
         "--url", "http://127.0.0.1:" + std::to_string(server_->port()), "--key",
         server_->admin_key()},
        {}, std::chrono::seconds(60));
  }

  TempDir dir_;
  std::string rules_;
  std::unique_ptr<FakeUpstreamProcess> fake_;
  std::unique_ptr<OspreyProcess> server_;
};

TEST_F(ReviewCli, FindingsForTheRulesThatApplyAndPerFileErrorsForBadAnswers) {
  const std::string out = dir_.path() + "/out";
  const CommandResult r = review(fixture_repo(), out);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json findings = json::parse(read_file(out + "/findings.json"));
  const json& s = findings["summary"];
  EXPECT_EQ(findings["schema"], "osprey.review.findings/v1");
  EXPECT_EQ(findings["meta"]["model"], "reviewer");
  EXPECT_EQ(findings["meta"]["batch_status"], "completed");
  EXPECT_EQ(s["languages"], json::parse(R"(["python"])"));
  EXPECT_EQ(s["categories"], json::parse(R"(["test-python"])"));
  // Five Python files (tests/test_orders.py is excluded): python-1 and python-2 in one request,
  // python-3 with the *_manager.py context in another — except order_manager.py itself.
  EXPECT_EQ(s["files_to_review"], 5);
  EXPECT_EQ(s["requests"], 9);
  EXPECT_EQ(s["findings"], 2);
  EXPECT_EQ(s["non_compliant"], 2);
  EXPECT_EQ(s["compliant"], 4);
  EXPECT_EQ(s["failed_requests"], 3);

  ASSERT_EQ(findings["findings"].size(), 2u);
  const json& big = findings["findings"][0];
  EXPECT_EQ(big["rule"], "python-1");
  EXPECT_EQ(big["file"], "src/orders/report.py");
  EXPECT_EQ(big["line"], 4);  // placed from the snippet
  const json& bare = findings["findings"][1];
  EXPECT_EQ(bare["rule"], "python-2");
  EXPECT_EQ(bare["file"], "src/orders/service.py");
  EXPECT_EQ(bare["line"], 16);

  std::multiset<std::string> errors;
  for (const json& e : findings["errors"]) {
    errors.insert(e["file"].get<std::string>() + " " + e["code"].get<std::string>());
  }
  EXPECT_EQ(errors, (std::multiset<std::string>{"src/__init__.py invalid_answer",
                                                "src/legacy/parser.py no_tool_call",
                                                "src/legacy/parser.py no_tool_call"}));
  for (const json& result : findings["results"]) {
    EXPECT_NE(result["file"], "tests/test_orders.py");
    EXPECT_EQ(result["file"].get<std::string>().substr(0, 4), "src/");
  }

  const std::string report = read_file(out + "/report.md");
  EXPECT_NE(report.find("#### python-2 (1)"), std::string::npos) << report;
  EXPECT_NE(report.find("**src/orders/service.py:16**"), std::string::npos) << report;
  EXPECT_NE(report.find("| src/legacy/parser.py | python-1, python-2 | no_tool_call |"),
            std::string::npos)
      << report;

  // What the model saw: a forced tool call at temperature 0, context files for python-3.
  const HttpResponse seen = http_request(fake_->port(), "GET", "/_fake/requests");
  ASSERT_EQ(seen.status, 200);
  int with_context = 0, total = 0;
  for (const json& req : json::parse(seen.body)) {
    if (req["path"] != "/v1/chat/completions") continue;
    ++total;
    const json body = json::parse(req["body"].get<std::string>());
    EXPECT_EQ(body["temperature"], 0);
    EXPECT_EQ(body["tool_choice"]["function"]["name"], "report_findings");
    const std::string user = body["messages"].back()["content"].is_string()
                                 ? body["messages"].back()["content"].get<std::string>()
                                 : body["messages"].back()["content"].dump();
    const auto context = user.find("Context files (for reference only");
    if (user.find("- python-3:") != std::string::npos && context != std::string::npos &&
        user.find("File: src/orders/order_manager.py", context) != std::string::npos) {
      ++with_context;
    }
  }
  EXPECT_EQ(total, 9);
  EXPECT_EQ(with_context, 4);
}

TEST_F(ReviewCli, ArchivesAreReviewedLikeDirectories) {
  const std::string archive = dir_.path() + "/repo.tar.gz";
  const std::string cmd = "tar -czf '" + archive + "' -C '" + fixture_repo() + "' .";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string out = dir_.path() + "/out-archive";
  const CommandResult r = review(archive, out);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json findings = json::parse(read_file(out + "/findings.json"));
  EXPECT_EQ(findings["summary"]["requests"], 9);
  EXPECT_EQ(findings["summary"]["findings"], 2);
}

TEST(ReviewCliUsage, BadRulesFilesAndFlagsAreUsageErrors) {
  TempDir dir;
  write_file(dir.path() + "/rules.json",
             R"({"languages": [{"name": "python", "defaultPatterns": ["src/[x"]}],
                 "categories": [], "rules": []})");
  CommandResult r = run_osprey({"review", fixture_repo(), "--rules", dir.path() + "/rules.json",
                                "--model", "m", "--url", "http://127.0.0.1:9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("languages[0].defaultPatterns[0]: unterminated '['"), std::string::npos)
      << r.err;
  r = run_osprey({"review", fixture_repo(), "--rules", dir.path() + "/rules.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
  r = run_osprey({"review", fixture_repo(), "--rules", dir.path() + "/rules.json", "--model", "m",
                  "--mode", "later"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--mode must be sync, native or auto"), std::string::npos) << r.err;
  r = run_osprey(
      {"review", dir.path() + "/nope", "--rules", dir.path() + "/rules.json", "--model", "m"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace osprey::testing
