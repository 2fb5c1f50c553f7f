#include <gtest/gtest.h>

#include "unit/fakes/fake_fixture.h"

namespace osprey::fakes::testing {
namespace {

using nlohmann::json;

const std::vector<std::pair<std::string, std::string>> kAuth = {
    {"Authorization", "Bearer sk-test"}, {"Content-Type", "application/json"}};

const char* kOpenAiToolRequest = R"({"model":"gpt-4o-mini","messages":[
  {"role":"user","content":"weather in Paris?"}],
  "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
    "properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"]}}}],
  "tool_choice":"auto"})";

class OpenAiFake : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeUpstreamOptions o = options_for(Vendor::kOpenAi);
    o.api_key = "sk-test";
    fake_ = start_fake(o);
  }
  WireResult chat(const std::string& body) {
    return wire_call(fake_->port(), "POST", "/v1/chat/completions", kAuth, body);
  }
  std::unique_ptr<FakeUpstream> fake_;
};

TEST_F(OpenAiFake, TextRequestGetsAChatCompletion) {
  const WireResult r = chat(R"({"model":"gpt-4o-mini","temperature":0,"messages":[
    {"role":"system","content":"be brief"},
    {"role":"user","content":[{"type":"text","text":"hello big world"}]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_of(r);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["model"], "gpt-4o-mini");
  EXPECT_TRUE(j["id"].get<std::string>().starts_with("chatcmpl-"));
  EXPECT_TRUE(j["created"].is_number_integer());
  ASSERT_EQ(j["choices"].size(), 1u);
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["message"]["content"], "echo: hello big world");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["usage"]["prompt_tokens"], 5);
  EXPECT_EQ(j["usage"]["completion_tokens"], 4);
  EXPECT_EQ(j["usage"]["total_tokens"], 9);
  // What Osprey sent is recorded as sent.
  const auto seen = fake_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(json::parse(seen[0].body)["temperature"], 0);
  EXPECT_EQ(seen[0].header("authorization"), "Bearer sk-test");
}

TEST_F(OpenAiFake, ToolRequestGetsAToolCallWithSchemaArguments) {
  const WireResult r = chat(kOpenAiToolRequest);
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_of(r);
  const json& choice = j["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_TRUE(choice["message"]["content"].is_null());
  const json& call = choice["message"]["tool_calls"][0];
  EXPECT_EQ(call["type"], "function");
  EXPECT_TRUE(call["id"].get<std::string>().starts_with("call_"));
  EXPECT_EQ(call["function"]["name"], "get_weather");
  // OpenAI sends arguments as a JSON string.
  ASSERT_TRUE(call["function"]["arguments"].is_string());
  EXPECT_EQ(json::parse(call["function"]["arguments"].get<std::string>()),
            json::parse(R"({"city":"test","days":1})"));
}

TEST_F(OpenAiFake, ToolResultGetsTextAnswer) {
  const WireResult r = chat(R"({"model":"m","messages":[{"role":"user","content":"weather?"},
    {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
      "function":{"name":"get_weather","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
    "tools":[{"type":"function","function":{"name":"get_weather","parameters":{}}}]})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json_of(r)["choices"][0]["message"]["content"], "tool result: sunny");
}

TEST_F(OpenAiFake, StreamSendsChunksUsageAndDone) {
  const WireResult r = chat(R"({"model":"m","stream":true,"stream_options":{"include_usage":true},
    "messages":[{"role":"user","content":"one two three"}]})");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_TRUE(r.header("content-type").starts_with("text/event-stream"));
  const auto events = parse_sse(r.body);
  ASSERT_GE(events.size(), 5u);
  EXPECT_EQ(events.back().second, "[DONE]");
  std::string text;
  std::string finish;
  json usage;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const json c = json::parse(events[i].second);
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    if (c["choices"].empty()) {
      usage = c["usage"];
      continue;
    }
    EXPECT_TRUE(c["usage"].is_null());
    const json& delta = c["choices"][0]["delta"];
    if (delta.contains("content") && delta["content"].is_string()) text += delta["content"];
    if (c["choices"][0]["finish_reason"].is_string()) finish = c["choices"][0]["finish_reason"];
  }
  EXPECT_EQ(text, "echo: one two three");
  EXPECT_EQ(finish, "stop");
  EXPECT_EQ(usage["completion_tokens"], 4);
  EXPECT_EQ(usage["prompt_tokens"], 3);
  EXPECT_GT(events.size(), 6u);  // split per word
}

TEST_F(OpenAiFake, StreamedToolCallArgumentsJoinToTheSchemaArguments) {
  json req = json::parse(kOpenAiToolRequest);
  req["stream"] = true;
  const WireResult r = chat(req.dump());
  ASSERT_TRUE(r.complete);
  std::string args;
  std::string name;
  for (const auto& [event, data] : parse_sse(r.body)) {
    if (data == "[DONE]") break;
    const json c = json::parse(data);
    const json& delta = c["choices"][0]["delta"];
    if (!delta.contains("tool_calls")) continue;
    const json& fn = delta["tool_calls"][0]["function"];
    if (fn.contains("name")) name = fn["name"];
    args += fn["arguments"].get<std::string>();
  }
  EXPECT_EQ(name, "get_weather");
  EXPECT_EQ(json::parse(args), json::parse(R"({"city":"test","days":1})"));
}

TEST_F(OpenAiFake, MissingOrWrongKeyIs401InOpenAiShape) {
  WireResult r = wire_call(fake_->port(), "POST", "/v1/chat/completions", {}, "{}");
  EXPECT_EQ(r.status, 401);
  json e = json_of(r)["error"];
  EXPECT_TRUE(e["message"].is_string());
  EXPECT_EQ(e["type"], "invalid_request_error");
  EXPECT_TRUE(e.contains("param"));
  EXPECT_TRUE(e.contains("code"));
  r = wire_call(fake_->port(), "POST", "/v1/chat/completions", {{"Authorization", "Bearer nope"}},
                "{}");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json_of(r)["error"]["code"], "invalid_api_key");
}

TEST_F(OpenAiFake, MalformedJsonAndMissingFieldsAre400) {
  WireResult r = chat("{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["type"], "invalid_request_error");
  r = chat(R"({"model":"m"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["param"], "messages");
  r = chat(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes",
              "tools":[7]})");
  EXPECT_EQ(r.status, 400);
}

TEST_F(OpenAiFake, ModelsProbeListsModelsWithoutCountingAChatCall) {
  const WireResult r = wire_call(fake_->port(), "GET", "/v1/models", kAuth);
  ASSERT_EQ(r.status, 200);
  const json j = json_of(r);
  EXPECT_EQ(j["object"], "list");
  ASSERT_FALSE(j["data"].empty());
  EXPECT_EQ(j["data"][0]["object"], "model");
  EXPECT_EQ(fake_->stats().probe_calls, 1u);
  EXPECT_EQ(fake_->stats().chat_calls, 0u);
}

TEST_F(OpenAiFake, UnknownPathIs404InOpenAiShape) {
  const WireResult r = wire_call(fake_->port(), "POST", "/v1/nope", kAuth, "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(json_of(r)["error"]["message"].is_string());
}

}  // namespace
}  // namespace osprey::fakes::testing
