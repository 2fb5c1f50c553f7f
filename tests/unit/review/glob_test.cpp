#include "review/glob.h"

#include <gtest/gtest.h>

namespace osprey::review {
namespace {

bool match(std::string_view pattern, std::string_view path) {
  auto glob = Glob::compile(pattern);
  EXPECT_TRUE(glob.ok()) << pattern;
  return glob.ok() && glob->matches(path);
}

TEST(GlobTest, PatternWithoutSlashMatchesTheFileNameInAnyDirectory) {
  EXPECT_TRUE(match("*.py", "main.py"));
  EXPECT_TRUE(match("*.py", "src/app/main.py"));
  EXPECT_FALSE(match("*.py", "src/app/main.pyc"));
  EXPECT_TRUE(match("test_*.py", "tests/test_api.py"));
  EXPECT_FALSE(match("test_*.py", "tests/api_test.py"));
}

TEST(GlobTest, PatternWithSlashIsMatchedAgainstTheWholePath) {
  EXPECT_TRUE(match("src/__init__.py", "src/__init__.py"));
  EXPECT_FALSE(match("src/__init__.py", "lib/src/__init__.py"));
  EXPECT_TRUE(match("src/*.py", "src/a.py"));
  EXPECT_FALSE(match("src/*.py", "src/sub/a.py"));
  EXPECT_TRUE(match("/setup.py", "setup.py"));
  EXPECT_FALSE(match("/setup.py", "pkg/setup.py"));
  EXPECT_TRUE(match("./setup.py", "setup.py"));
}

TEST(GlobTest, StarNeverCrossesASlash) {
  EXPECT_FALSE(match("src/*", "src/a/b.py"));
  EXPECT_TRUE(match("src/*", "src/a"));
  EXPECT_FALSE(match("a*b", "a/b"));
}

TEST(GlobTest, GlobstarMatchesZeroOrMoreDirectories) {
  EXPECT_TRUE(match("**/*_manager.py", "user_manager.py"));
  EXPECT_TRUE(match("**/*_manager.py", "src/app/user_manager.py"));
  EXPECT_TRUE(match("src/**/model.py", "src/model.py"));
  EXPECT_TRUE(match("src/**/model.py", "src/a/b/c/model.py"));
  EXPECT_FALSE(match("src/**/model.py", "lib/a/model.py"));
  EXPECT_TRUE(match("**/test/**", "a/test/b/c.java"));
  EXPECT_TRUE(match("**/test/**", "test/x.java"));
  EXPECT_FALSE(match("**/test/**", "a/tests/x.java"));
  EXPECT_TRUE(match("**", "anything/at/all.txt"));
}

TEST(GlobTest, TrailingSlashMeansEverythingBelow) {
  EXPECT_TRUE(match("node_modules/", "node_modules/x/index.js"));
  EXPECT_FALSE(match("node_modules/", "src/node_modules.js"));
}

TEST(GlobTest, QuestionMarkIsOneCharacterButNotASlash) {
  EXPECT_TRUE(match("file?.c", "file1.c"));
  EXPECT_FALSE(match("file?.c", "file10.c"));
  EXPECT_FALSE(match("a?b", "a/b"));
}

TEST(GlobTest, CharacterClassesWithRangesAndNegation) {
  EXPECT_TRUE(match("v[0-9].txt", "v7.txt"));
  EXPECT_FALSE(match("v[0-9].txt", "vx.txt"));
  EXPECT_TRUE(match("v[!0-9].txt", "vx.txt"));
  EXPECT_FALSE(match("v[^0-9].txt", "v3.txt"));
  EXPECT_TRUE(match("[]]x", "]x"));
  EXPECT_TRUE(match("[abc-]", "-"));
  EXPECT_FALSE(match("a[/]b", "a/b"));
}

TEST(GlobTest, BracesExpandToAlternativesAndNest) {
  EXPECT_TRUE(match("*.{ts,tsx}", "src/App.tsx"));
  EXPECT_TRUE(match("*.{ts,tsx}", "index.ts"));
  EXPECT_FALSE(match("*.{ts,tsx}", "index.js"));
  EXPECT_TRUE(match("{src,lib}/**/*.{c,h{,pp}}", "lib/x/y.hpp"));
  EXPECT_TRUE(match("{src,lib}/**/*.{c,h{,pp}}", "src/y.h"));
  EXPECT_FALSE(match("{src,lib}/**/*.{c,h{,pp}}", "test/y.c"));
  // An alternative without '/' matches names anywhere, one with '/' whole paths.
  EXPECT_TRUE(match("{Makefile,cmake/*.cmake}", "sub/Makefile"));
  EXPECT_FALSE(match("{Makefile,cmake/*.cmake}", "sub/cmake/x.cmake"));
}

TEST(GlobTest, BackslashEscapesAWildcard) {
  EXPECT_TRUE(match("a\\*b", "a*b"));
  EXPECT_FALSE(match("a\\*b", "axb"));
  EXPECT_TRUE(match("\\{x\\}", "{x}"));
}

TEST(GlobTest, MatchingIsCaseSensitive) { EXPECT_FALSE(match("*.PY", "a.py")); }

TEST(GlobTest, MalformedPatternsAreErrorsNamingThePattern) {
  for (const char* bad : {"", "a[bc", "{a,b", "a}b", "x\\", "/", "{[}"}) {
    auto glob = Glob::compile(bad);
    ASSERT_FALSE(glob.ok()) << bad;
    EXPECT_EQ(glob.code(), ErrorCode::kInvalidRequest);
    if (*bad != '\0') {
      EXPECT_NE(glob.error().message.find(bad), std::string::npos) << bad;
    }
  }
}

TEST(GlobTest, TooManyBraceAlternativesIsAnError) {
  std::string pattern;
  for (int i = 0; i < 11; ++i) pattern += "{a,b}";  // 2^11 alternatives
  auto glob = Glob::compile(pattern);
  ASSERT_FALSE(glob.ok());
  EXPECT_NE(glob.error().message.find("alternatives"), std::string::npos);
}

TEST(GlobTest, ManyGlobstarsStayFast) {
  // The DP matcher is polynomial: this would take ages with naive backtracking.
  std::string path;
  for (int i = 0; i < 60; ++i) path += "d/";
  path += "f.txt";
  EXPECT_FALSE(match("**/a/**/a/**/a/**/a/**/x.txt", path));
  EXPECT_TRUE(match("**/d/**/d/**/d/**/f.txt", path));
}

TEST(GlobTest, MatchesAnyOfSeveral) {
  std::vector<Glob> globs;
  for (const char* p : {"*.py", "*.md"}) globs.push_back(Glob::compile(p).value());
  EXPECT_TRUE(matches_any(globs, "docs/a.md"));
  EXPECT_FALSE(matches_any(globs, "a.c"));
  EXPECT_FALSE(matches_any({}, "a.c"));
}

}  // namespace
}  // namespace osprey::review
