// The chat route skips the JSON tree and the schema walk for bodies the DOM-free reader takes
// when RequestValidator::passes_plain_chat says so. That shortcut must never let through a body
// the schema or the deny rules would refuse, and must give the request the full path gives:
// checked here over many variants of a plain body, one field changed at a time.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/validation/request_validator.h"
#include "providers/openai/openai_request_parser.h"
#include "providers/openai/openai_upstream_codec.h"

namespace osprey::gateway::validation {
namespace {

using json = nlohmann::json;
namespace openai = providers::openai;

constexpr std::string_view kBenchBody =
    R"({"model":"bench-model","messages":[{"role":"system","content":"You are a terse )"
    R"(assistant."},{"role":"user","content":"Say hello to the benchmark in five words."}],)"
    R"("max_tokens":16,"temperature":0})";

std::shared_ptr<const RequestValidator> validator(ValidationConfig config = {}) {
  auto created = RequestValidator::create(config);
  EXPECT_TRUE(created.ok()) << created.error().message;
  return created.ok() ? created.value() : nullptr;
}

std::string describe(const Result<providers::ChatRequest>& r) {
  if (!r) return "error " + r.error().message;
  return openai::build_chat_request(*r).dump() + " usage=" + std::to_string(r->include_usage);
}

// Bodies that differ from a plain chat in one place: every top-level field and message member
// the reader looks at, set to values of every JSON type and to both sides of each range.
std::vector<std::string> variants() {
  const std::vector<json> values = {nullptr,
                                    true,
                                    false,
                                    -3,
                                    -1,
                                    0,
                                    1,
                                    2,
                                    3,
                                    16,
                                    -0.0,
                                    0.25,
                                    1.5,
                                    2.0,
                                    2.5,
                                    1e300,
                                    "",
                                    "x",
                                    json::array(),
                                    json::array({"a"}),
                                    json::object(),
                                    json{{"include_usage", true}},
                                    json{{"include_usage", 1}},
                                    json{{"other", 1}}};
  const json base = json::parse(kBenchBody);
  std::vector<std::string> out = {std::string(kBenchBody)};
  for (const char* key :
       {"model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "seed",
        "user", "stream", "stream_options", "n", "tools"}) {
    for (const json& v : values) {
      json body = base;
      body[key] = v;
      out.push_back(body.dump());
    }
    json without = base;
    without.erase(key);
    out.push_back(without.dump());
  }
  for (const char* role : {"system", "developer", "user", "assistant", "tool", "robot"}) {
    for (const char* member : {"content", "name", "refusal", "tool_call_id", "extra"}) {
      for (const json& v : values) {
        json body = base;
        body["messages"][1] = {{"role", role}, {"content", "hi"}};
        body["messages"][1][member] = v;
        out.push_back(body.dump());
      }
    }
  }
  return out;
}

TEST(PlainChatValidation, ABodyTheShortcutPassesPassesTheFullCheckWithTheSameRequest) {
  auto v = validator();
  ASSERT_NE(v, nullptr);
  int shortcut = 0, refused_by_range = 0;
  for (const std::string& text : variants()) {
    std::optional<providers::ChatRequest> plain = openai::parse_plain_chat_request(text);
    if (!plain) continue;
    const json body = json::parse(text);
    const Status full = v->check(BodyKind::kChatCompletions, body);
    if (!v->passes_plain_chat(*plain)) {
      ++refused_by_range;
      continue;
    }
    ++shortcut;
    EXPECT_TRUE(full.ok()) << text << ": " << full.error().message;
    EXPECT_EQ(describe(*plain), describe(openai::parse_chat_request(body))) << text;
  }
  // The variants really exercise both answers.
  EXPECT_GT(shortcut, 100);
  EXPECT_GT(refused_by_range, 4);
}

TEST(PlainChatValidation, OutOfRangeSamplingFallsBackToTheSchemaWhichNamesTheField) {
  auto v = validator();
  ASSERT_NE(v, nullptr);
  for (const auto& [key, value] : std::vector<std::pair<std::string, double>>{
           {"temperature", 2.5}, {"temperature", -1}, {"top_p", 1.5}, {"top_p", -0.5}}) {
    json body = json::parse(kBenchBody);
    body[key] = value;
    auto plain = openai::parse_plain_chat_request(body.dump());
    ASSERT_TRUE(plain.has_value()) << body.dump();
    EXPECT_FALSE(v->passes_plain_chat(*plain)) << body.dump();
    Status full = v->check(BodyKind::kChatCompletions, body);
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().param, key);
  }
}

TEST(PlainChatValidation, MessageNameAndRefusalOfAnotherTypeAreLeftToTheSchema) {
  for (const char* member : {"name", "refusal"}) {
    json body = json::parse(kBenchBody);
    body["messages"][1][member] = 5;
    EXPECT_FALSE(openai::parse_plain_chat_request(body.dump()).has_value()) << body.dump();
    body["messages"][1][member] = "bob";
    EXPECT_TRUE(openai::parse_plain_chat_request(body.dump()).has_value()) << body.dump();
  }
}

TEST(PlainChatValidation, TheBenchmarkBodyTakesTheShortcut) {
  auto v = validator();
  ASSERT_NE(v, nullptr);
  auto plain = openai::parse_plain_chat_request(kBenchBody);
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(v->passes_plain_chat(*plain));
}

TEST(PlainChatValidation, DenyRulesAlwaysTakeTheFullCheck) {
  ValidationConfig config;
  config.deny_rules.push_back({"never", "no such text anywhere", false});
  auto v = validator(config);
  ASSERT_NE(v, nullptr);
  auto plain = openai::parse_plain_chat_request(kBenchBody);
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(v->passes_plain_chat(*plain));
}

TEST(PlainChatValidation, WithSchemaValidationOffOnlyDenyRulesMatter) {
  ValidationConfig config;
  config.schema_validation = false;
  auto v = validator(config);
  ASSERT_NE(v, nullptr);
  json body = json::parse(kBenchBody);
  body["temperature"] = 7;
  auto plain = openai::parse_plain_chat_request(body.dump());
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(v->passes_plain_chat(*plain));
  EXPECT_TRUE(v->check(BodyKind::kChatCompletions, body).ok());
}

}  // namespace
}  // namespace osprey::gateway::validation
