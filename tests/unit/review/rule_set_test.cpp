#include "review/rule_set.h"

#include <gtest/gtest.h>

#include "review_fixture.h"

namespace osprey::review {
namespace {

using nlohmann::json;

std::string error_of(std::string_view text) {
  auto set = parse_rule_set_text(text);
  EXPECT_FALSE(set.ok()) << text;
  if (set.ok()) return {};
  EXPECT_EQ(set.code(), ErrorCode::kInvalidRequest);
  return set.error().message;
}

// A valid document with one field replaced.
std::string with(const std::string& pointer, const json& value) {
  json doc = json::parse(testing::kMultiLanguageRules);
  doc[json::json_pointer(pointer)] = value;
  return doc.dump();
}

TEST(RuleSetTest, ParsesLanguagesCategoriesAndRules) {
  auto set = parse_rule_set_text(testing::kMultiLanguageRules);
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->languages.size(), 3u);
  EXPECT_EQ(set->languages[0].default_patterns[0].pattern(), "*.py");
  EXPECT_EQ(set->languages[0].default_exclude_patterns[0].pattern(), "test_*.py");
  ASSERT_EQ(set->categories.size(), 4u);
  EXPECT_EQ(set->category("django")->exists[0].pattern(), "manage.py");
  ASSERT_EQ(set->rules.size(), 6u);
  const Rule* py2 = set->rule("PY2");
  ASSERT_NE(py2, nullptr);
  EXPECT_EQ(py2->context_patterns[0].pattern(), "**/*_manager.py");
  EXPECT_EQ(py2->description, "Managers are used through their public methods.");
  // A numeric rule id becomes its text.
  ASSERT_NE(set->rule("3"), nullptr);
  EXPECT_EQ(set->rule("3")->exclude_patterns[0].pattern(), "**/report.py");
  EXPECT_EQ(set->rule("nope"), nullptr);
}

TEST(RuleSetTest, UnknownKeysAreIgnored) {
  EXPECT_TRUE(parse_rule_set_text(with("/rules/0/severity", "high")).ok());
  EXPECT_TRUE(parse_rule_set_text(with("/version", 2)).ok());
}

TEST(RuleSetTest, ErrorsNameThePathOfTheBadField) {
  EXPECT_EQ(error_of("[1]"), "rules file: must be a JSON object");
  EXPECT_NE(error_of("{\"languages\": [").find("rules file: not JSON (at byte"), std::string::npos);
  EXPECT_EQ(error_of(R"({"categories": [], "rules": []})"), "languages: is required");
  EXPECT_EQ(error_of(with("/categories", json::object())), "categories: must be an array");
  EXPECT_EQ(error_of(with("/rules/2/ruleDesc", "")),
            "rules[2].ruleDesc: must be a non-empty string");
  EXPECT_EQ(error_of(with("/rules/1/rule", true)),
            "rules[1].rule: must be a non-empty string or an integer");
  EXPECT_EQ(error_of(with("/rules/0/category", "nope")),
            "rules[0].category: unknown category \"nope\"");
  EXPECT_EQ(error_of(with("/rules/4/language", "cobol")),
            "rules[4].language: unknown language \"cobol\"");
  EXPECT_EQ(error_of(with("/rules/1/rule", "PY1")), "rules[1].rule: duplicate rule \"PY1\"");
  EXPECT_EQ(error_of(with("/languages/1/defaultPatterns", json::array())),
            "languages[1].defaultPatterns: must not be empty");
  EXPECT_EQ(error_of(with("/languages/0/defaultExcludePatterns/0", 7)),
            "languages[0].defaultExcludePatterns[0]: must be a non-empty string");
  EXPECT_EQ(error_of(with("/categories/2/languages/0", "perl")),
            "categories[2].languages[0]: unknown language \"perl\"");
  EXPECT_EQ(error_of(with("/categories/1/name", "python-general")),
            "categories[1].name: duplicate category \"python-general\"");
  EXPECT_EQ(error_of(with("/rules/2/patterns/0", "src/[orders/*.py")),
            "rules[2].patterns[0]: unterminated '[' in glob \"src/[orders/*.py\"");
  EXPECT_EQ(error_of(with("/rules/1/contextPatterns", "**/*.py")),
            "rules[1].contextPatterns: must be an array of strings");
  EXPECT_EQ(error_of(with("/languages/0", "python")), "languages[0]: must be an object");
}

}  // namespace
}  // namespace osprey::review
