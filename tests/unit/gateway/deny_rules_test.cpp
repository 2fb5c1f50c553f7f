// Deny rules over the prompt text: which texts they see (every role, string and part contents),
// case handling, the first matching rule named without echoing the text, and bad patterns.
#include "gateway/validation/deny_rules.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/validation/prompt_text.h"

namespace osprey::gateway::validation {
namespace {

using json = nlohmann::json;

std::shared_ptr<const DenyRules> rules(const std::vector<DenyRule>& list) {
  auto compiled = DenyRules::compile(list);
  EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : compiled.error().message);
  return compiled.ok() ? compiled.value() : nullptr;
}

json chat(const json& messages) { return {{"model", "m"}, {"messages", messages}}; }

TEST(PromptText, CollectsEveryTextOfEveryMessageButNotImagesOrToolArguments) {
  const json body = chat(json::array(
      {{{"role", "system"}, {"content", "sys"}},
       {{"role", "user"},
        {"content",
         {{{"type", "text"}, {"text", "part one"}},
          {{"type", "image_url"}, {"image_url", {{"url", "https://x/secret.png"}}}},
          {{"type", "text"}, {"text", "part two"}}}}},
       {{"role", "assistant"},
        {"content", nullptr},
        {"tool_calls",
         {{{"id", "c"}, {"function", {{"name", "f"}, {"arguments", "{\"q\":\"args\"}"}}}}}}},
       {{"role", "tool"}, {"tool_call_id", "c"}, {"content", "tool says"}}}));
  const auto parts = prompt_text(body);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].text, "sys");
  EXPECT_EQ(parts[1].text, "part one");
  EXPECT_EQ(parts[1].message, 1u);
  EXPECT_EQ(parts[2].text, "part two");
  EXPECT_EQ(parts[3].text, "tool says");
  EXPECT_EQ(parts[3].message, 3u);
  EXPECT_TRUE(prompt_text(json::array()).empty());
  EXPECT_TRUE(prompt_text(json{{"messages", "x"}}).empty());
}

TEST(DenyRules, AMatchIsContentDeniedNamingTheRuleAndTheMessageButNotTheText) {
  auto deny = rules({{"ssn", R"(\b\d{3}-\d{2}-\d{4}\b)", false},
                     {"exfiltrate", "ignore (all )?previous instructions", true}});
  Status st = deny->check(chat({{{"role", "user"}, {"content", "hello"}},
                                {{"role", "user"}, {"content", "my ssn is 123-45-6789"}}}));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kContentDenied);
  EXPECT_EQ(http_status(st.code()), 400);
  EXPECT_EQ(code_name(st.code()), "content_denied");
  EXPECT_NE(st.error().message.find("\"ssn\""), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().message.find("123-45"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().param, "messages[1]");
}

TEST(DenyRules, CaseInsensitiveOnlyWhenAsked) {
  auto deny = rules({{"strict", "DROP TABLE", false}, {"loose", "ignore previous", true}});
  EXPECT_TRUE(deny->check(chat({{{"role", "user"}, {"content", "drop table users"}}})).ok());
  EXPECT_FALSE(deny->check(chat({{{"role", "user"}, {"content", "DROP TABLE users"}}})).ok());
  Status st = deny->check(chat({{{"role", "system"}, {"content", "IGNORE Previous rules"}}}));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("\"loose\""), std::string::npos);
}

TEST(DenyRules, SeesTextPartsAndEveryRoleButNeverMatchesAcrossParts) {
  auto deny = rules({{"word", "forbidden", false}, {"split", "ab cd", false}});
  EXPECT_FALSE(deny->check(chat({{{"role", "user"},
                                  {"content", {{{"type", "text"}, {"text", "a forbidden x"}}}}}}))
                   .ok());
  EXPECT_FALSE(
      deny->check(chat({{{"role", "tool"}, {"tool_call_id", "c"}, {"content", "forbidden"}}}))
          .ok());
  EXPECT_TRUE(
      deny->check(
              chat({{{"role", "user"},
                     {"content",
                      {{{"type", "text"}, {"text", "ab"}}, {{"type", "text"}, {"text", " cd"}}}}}}))
          .ok());
}

TEST(DenyRules, NoRulesLetEverythingThrough) {
  auto deny = rules({});
  EXPECT_TRUE(deny->empty());
  EXPECT_TRUE(deny->check(chat({{{"role", "user"}, {"content", "anything"}}})).ok());
}

TEST(DenyRules, ABadPatternIsAConfigErrorNamingTheRule) {
  auto compiled = DenyRules::compile({{"fine", "ok", false}, {"broken", "(unclosed", false}});
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.code(), ErrorCode::kConfigInvalid);
  const std::string& message = compiled.error().message;
  EXPECT_NE(message.find("validation.deny_rules[1].pattern"), std::string::npos) << message;
  EXPECT_NE(message.find("\"broken\""), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace osprey::gateway::validation
