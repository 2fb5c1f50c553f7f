// The built-in JSON Schema of POST /v1/chat/completions: bodies OpenAI accepts pass (images,
// tools, tool calls, structured output, SDK nulls, unknown fields), and each kind of mistake is
// reported at the most specific field path, which also becomes the error's `param`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "gateway/validation/embedded_schemas.h"
#include "gateway/validation/json_schema.h"
#include "providers/openai/openai_request_parser.h"

namespace osprey::gateway::validation {
namespace {

using json = nlohmann::json;

class ChatSchema : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto compiled = JsonSchema::compile(embedded_schema("chat_completions_request"), "chat");
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    schema_ = compiled.value();
  }
  static void TearDownTestSuite() { schema_.reset(); }

  static Status check(const std::string& body) { return schema_->validate(json::parse(body)); }

  // Expects a rejection at `param` whose message contains `words`.
  static void expect_rejected(const std::string& body, const std::string& param,
                              const std::string& words) {
    Status st = check(body);
    ASSERT_FALSE(st.ok()) << body;
    EXPECT_EQ(st.code(), ErrorCode::kInvalidRequest);
    EXPECT_EQ(st.error().param, param) << st.error().message;
    EXPECT_EQ(st.error().message.rfind(param + ": ", 0), 0u) << st.error().message;
    EXPECT_NE(st.error().message.find(words), std::string::npos) << st.error().message;
  }

  static std::shared_ptr<const JsonSchema> schema_;
};

std::shared_ptr<const JsonSchema> ChatSchema::schema_;

TEST_F(ChatSchema, IsCompiledIntoTheBinary) {
  EXPECT_FALSE(embedded_schema("chat_completions_request").empty());
  EXPECT_TRUE(embedded_schema("no_such_schema").empty());
}

TEST_F(ChatSchema, AcceptsAPlainChat) {
  EXPECT_TRUE(check(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})").ok());
}

TEST_F(ChatSchema, AcceptsImagesAsUrlsAndDataUrls) {
  Status st = check(R"({"model":"m","messages":[{"role":"user","content":[
      {"type":"text","text":"what is this?"},
      {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]})");
  EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST_F(ChatSchema, AcceptsToolsToolChoiceToolCallsAndToolResults) {
  Status st = check(R"({"model":"m",
      "tools":[{"type":"function","function":{"name":"get_weather","description":"d",
                "parameters":{"type":"object","properties":{"city":{"type":"string"}}},
                "strict":true}}],
      "tool_choice":{"type":"function","function":{"name":"get_weather"}},
      "parallel_tool_calls":false,
      "messages":[
        {"role":"system","content":"be brief"},
        {"role":"user","content":"weather in Paris?"},
        {"role":"assistant","content":null,"refusal":null,"tool_calls":[
          {"id":"call_1","type":"function",
           "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
        {"role":"tool","tool_call_id":"call_1","content":"sunny"}]})");
  EXPECT_TRUE(st.ok()) << st.error().message;
  for (const char* choice : {R"("auto")", R"("none")", R"("required")", "null"}) {
    const std::string body = std::string(R"({"model":"m","tool_choice":)") + choice +
                             R"(,"messages":[{"role":"user","content":"hi"}]})";
    EXPECT_TRUE(check(body).ok()) << body;
  }
}

TEST_F(ChatSchema, AcceptsStructuredOutputAndSamplingParameters) {
  Status st =
      check(R"({"model":"m","messages":[{"role":"developer","content":[{"type":"text","text":"x"}]},
      {"role":"user","content":"hi"}],
      "response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,
        "schema":{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}}},
      "temperature":2,"top_p":0.5,"max_tokens":10,"max_completion_tokens":20,"seed":-7,
      "stop":["END","STOP"],"user":"u-1","stream":true,"stream_options":{"include_usage":true},
      "presence_penalty":-1.5,"frequency_penalty":0,"logit_bias":{"50256":-100},"n":1,
      "metadata":{"k":"v"}})");
  EXPECT_TRUE(st.ok()) << st.error().message;
  EXPECT_TRUE(check(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
      "response_format":{"type":"json_object"},"stop":"END"})")
                  .ok());
}

TEST_F(ChatSchema, AcceptsSdkNullsAndUnknownTopLevelFields) {
  Status st = check(R"({"model":"m","messages":[{"role":"user","content":"hi","name":null}],
      "temperature":null,"top_p":null,"max_tokens":null,"stop":null,"seed":null,"user":null,
      "stream":null,"stream_options":null,"tools":null,"tool_choice":null,
      "response_format":null,"provider_options":{"top_k":5},"some_vendor_field":{"x":1}})");
  EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST_F(ChatSchema, NamesTheMissingField) {
  expect_rejected(R"({"messages":[{"role":"user","content":"hi"}]})", "model", "is required");
  expect_rejected(R"({"model":"m"})", "messages", "is required");
  expect_rejected(R"({"model":"m","messages":[{"content":"hi"}]})", "messages[0].role",
                  "is required");
  expect_rejected(R"({"model":"m","messages":[{"role":"user"}]})", "messages[0].content",
                  "is required");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"tool",
      "content":"x"}]})",
                  "messages[1].tool_call_id", "is required");
}

TEST_F(ChatSchema, NamesAWrongRoleWithTheAllowedValues) {
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"robot","content":"x"}]})",
      "messages[1].role", R"(must be "system", "developer", "user", "assistant" or "tool")");
  expect_rejected(R"({"model":"m","messages":[{"role":"robot","content":"x"}]})",
                  "messages[0].role", R"((got "robot"))");
}

TEST_F(ChatSchema, NamesWrongTypesWithTheExpectedOnes) {
  expect_rejected(R"({"model":"m","messages":"hi"})", "messages", "must be array (got string)");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":5}]})",
                  "messages[0].content", "must be array or string (got integer)");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],"stream":"yes"})",
                  "stream", "must be boolean (got string)");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],"max_tokens":1.5})",
                  "max_tokens", "must be integer (got number)");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],"stop":[1]})",
                  "stop[0]", "must be string");
}

TEST_F(ChatSchema, NamesRangeViolations) {
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],"temperature":2.5})",
                  "temperature", "must be at most 2 (got 2.5)");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],"temperature":-1})",
                  "temperature", "must be at least 0");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],"top_p":1.1})",
                  "top_p", "must be at most 1");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],"max_tokens":0})",
                  "max_tokens", "must be at least 1");
  expect_rejected(R"({"model":"m","messages":[]})", "messages", "messages: must not be empty");
  expect_rejected(R"({"model":"","messages":[{"role":"user","content":"a"}]})", "model",
                  "model: must not be empty");
  // An empty content array would leave the message out of what the provider gets.
  expect_rejected(
      R"({"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":[]}]})",
      "messages[1].content", "messages[1].content: must not be empty");
  expect_rejected(R"({"model":"m","messages":[{"role":"system","content":[]}]})",
                  "messages[0].content", "must not be empty");
  // Beyond int64, where valijson's reading wraps around to a negative number.
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":"a"}],"max_tokens":9223372036854775808})",
      "max_tokens", "max_tokens: must be at most 9223372036854775807 (got 9223372036854775808)");
}

TEST_F(ChatSchema, NamesFieldsDeepInsideContentPartsToolsAndFormats) {
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},
      {"type":"audio","data":"x"}]}]})",
                  "messages[0].content[1].type", R"(must be "text" or "image_url")");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"detail":"low"}}]}]})",
                  "messages[0].content[0].image_url.url", "is required");
  expect_rejected(R"({"model":"m","messages":[{"role":"system","content":[
      {"type":"image_url","image_url":{"url":"x"}}]}]})",
                  "messages[0].content[0].type", R"(must be "text")");
  expect_rejected(R"({"model":"m","messages":[{"role":"assistant","tool_calls":[
      {"id":"c","type":"function","function":{"arguments":"{}"}}]}]})",
                  "messages[0].tool_calls[0].function.name", "is required");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],
      "tools":[{"type":"function","function":{"name":"ok"}},{"type":"retrieval"}]})",
                  "tools[1].type", R"(must be "function")");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],"tool_choice":"any"})",
                  "tool_choice", R"(must be "none", "auto" or "required")");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],
      "tool_choice":{"type":"function","function":{}}})",
                  "tool_choice.function.name", "is required");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],
      "response_format":{"type":"json_schema"}})",
                  "response_format.json_schema", "is required");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":"a"}],
      "response_format":{"type":"xml"}})",
                  "response_format.type", R"(must be "text", "json_object" or "json_schema")");
}

TEST_F(ChatSchema, ANonObjectBodyIsReportedWithoutAParam) {
  Status st = check("[1,2]");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().param, "");
  EXPECT_EQ(st.error().message, "body: must be object (got array)");
}

// The adapters' parser keeps standard fields out of provider_options by a list of its own: it
// must name exactly the fields this schema defines.
TEST(ChatSchemaFields, TheParsersStandardFieldsAreTheSchemasProperties) {
  const json schema = json::parse(embedded_schema("chat_completions_request"));
  int standard = 0;
  for (const auto& [name, rule] : schema["properties"].items()) {
    EXPECT_EQ(providers::openai::is_standard_chat_field(name), name != "provider_options") << name;
    standard += name != "provider_options" ? 1 : 0;
  }
  EXPECT_EQ(standard, 26);
  EXPECT_FALSE(providers::openai::is_standard_chat_field("top_k"));
}

TEST(JsonSchemaCompile, RejectsASchemaThatIsNotJson) {
  auto compiled = JsonSchema::compile("{nope", "broken");
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.code(), ErrorCode::kInternal);
  EXPECT_NE(compiled.error().message.find("broken"), std::string::npos);
}

}  // namespace
}  // namespace osprey::gateway::validation
