// The `validation` config section: defaults, every key, and one-line errors naming the key.
#include "gateway/validation/validation_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/validation/request_validator.h"

namespace osprey::gateway::validation {
namespace {

using json = nlohmann::json;

std::string error_of(const json& section) {
  auto parsed = parse_validation_config({{"validation", section}});
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.code(), ErrorCode::kConfigInvalid);
  return parsed.error().message;
}

TEST(ValidationConfig, DefaultsValidateSchemasRedactPiiAndDenyNothing) {
  for (const json& sections : {json::object(), json{{"validation", nullptr}}}) {
    auto parsed = parse_validation_config(sections);
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->schema_validation);
    EXPECT_TRUE(parsed->redact_pii);
    EXPECT_TRUE(parsed->deny_rules.empty());
    EXPECT_TRUE(parsed->redact_patterns.empty());
  }
}

TEST(ValidationConfig, ReadsEveryKey) {
  auto parsed = parse_validation_config(
      {{"validation",
        {{"schema_validation", false},
         {"redact_pii", false},
         {"deny_rules",
          {{{"name", "a"}, {"pattern", "x+"}},
           {{"name", "b"}, {"pattern", "y"}, {"case_insensitive", true}}}},
         {"redact_patterns", {{{"name", "employee"}, {"pattern", "EMP-[0-9]{6}"}}}}}}});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->schema_validation);
  EXPECT_FALSE(parsed->redact_pii);
  ASSERT_EQ(parsed->deny_rules.size(), 2u);
  EXPECT_EQ(parsed->deny_rules[0].name, "a");
  EXPECT_FALSE(parsed->deny_rules[0].case_insensitive);
  EXPECT_TRUE(parsed->deny_rules[1].case_insensitive);
  ASSERT_EQ(parsed->redact_patterns.size(), 1u);
  EXPECT_EQ(parsed->redact_patterns[0].pattern, "EMP-[0-9]{6}");

  auto redactor = make_log_redactor(parsed.value());
  ASSERT_TRUE(redactor.ok());
  ASSERT_NE(redactor.value(), nullptr);
  // Built-ins are off here: only the extra pattern applies.
  EXPECT_EQ(redactor.value()->redact("EMP-123456 a@b.com"), "[REDACTED:employee] a@b.com");
}

TEST(ValidationConfig, ErrorsNameTheKey) {
  EXPECT_EQ(error_of({{"deny_rules", {{{"name", "x"}, {"pattern", "(oops"}}}}})
                .rfind("validation.deny_rules[0].pattern: rule \"x\": invalid RE2 pattern", 0),
            0u);
  EXPECT_EQ(error_of({{"redact_patterns", {{{"name", "x"}, {"pattern", "[z-a]"}}}}})
                .rfind("validation.redact_patterns[0].pattern:", 0),
            0u);
  EXPECT_EQ(error_of({{"deny_rules", {{{"pattern", "x"}}}}}),
            "validation.deny_rules[0].name: is required");
  EXPECT_EQ(error_of({{"deny_rules", {{{"name", "x"}}}}}),
            "validation.deny_rules[0].pattern: is required");
  EXPECT_EQ(error_of({{"deny_rules",
                       {{{"name", "x"}, {"pattern", "a"}}, {{"name", "x"}, {"pattern", "b"}}}}}),
            "validation.deny_rules[1].name: duplicate rule name \"x\"");
  EXPECT_EQ(error_of({{"deny_rules", "x"}}), "validation.deny_rules: must be a list");
  EXPECT_NE(error_of({{"redact_patterns",
                       {{{"name", "x"}, {"pattern", "a"}, {"case_insensitive", true}}}}})
                .find("validation.redact_patterns[0].case_insensitive"),
            std::string::npos);
  EXPECT_NE(error_of({{"redact_pii", "yes"}}).find("validation.redact_pii"), std::string::npos);
  EXPECT_NE(error_of({{"deny_rule", json::array()}}).find("validation.deny_rule"),
            std::string::npos);
  EXPECT_NE(error_of("on").find("validation"), std::string::npos);
}

TEST(ValidationConfig, RedactionOffAndNoPatternsMeansNoRedactor) {
  auto redactor = make_log_redactor({.redact_pii = false});
  ASSERT_TRUE(redactor.ok());
  EXPECT_EQ(redactor.value(), nullptr);
}

TEST(RequestValidator, SchemaValidationCanBeTurnedOffButDenyRulesStillApply) {
  ValidationConfig config;
  config.schema_validation = false;
  config.deny_rules = {{"no", "forbidden", false}};
  auto validator = RequestValidator::create(config);
  ASSERT_TRUE(validator.ok());
  const auto& v = *validator.value();
  EXPECT_TRUE(v.check(BodyKind::kChatCompletions, json{{"model", 5}}).ok());
  EXPECT_EQ(v.check(BodyKind::kChatCompletions,
                    json{{"messages", {{{"role", "user"}, {"content", "forbidden"}}}}})
                .code(),
            ErrorCode::kContentDenied);

  auto strict = RequestValidator::create({});
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict.value()->check(BodyKind::kChatCompletions, json{{"model", 5}}).code(),
            ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace osprey::gateway::validation
