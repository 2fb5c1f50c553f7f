// `osprey review` through the real binary: usage errors (bad rules file named by field path,
// missing flags, unknown mode, missing repository).
#include <gtest/gtest.h>

#include <string>

#include "integration/osprey_process.h"

namespace osprey::testing {
namespace {

std::string fixture_repo() { return source_dir() + "/tests/fixtures/review/repo"; }

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
