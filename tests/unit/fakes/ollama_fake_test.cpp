#include <gtest/gtest.h>

#include <sstream>

#include "unit/fakes/fake_fixture.h"

namespace osprey::fakes::testing {
namespace {

using nlohmann::json;

class OllamaFake : public ::testing::Test {
 protected:
  void SetUp() override { fake_ = start_fake(options_for(Vendor::kOllama)); }
  WireResult chat(const std::string& body) {
    return wire_call(fake_->port(), "POST", "/api/chat", {{"Content-Type", "application/json"}},
                     body);
  }
  std::unique_ptr<FakeUpstream> fake_;
};

std::vector<json> ndjson_lines(const std::string& body) {
  std::vector<json> lines;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

TEST_F(OllamaFake, NonStreamingTextAnswer) {
  const WireResult r = chat(R"({"model":"llama3.2","stream":false,"options":{"temperature":0},
    "messages":[{"role":"user","content":"hi there"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_of(r);
  EXPECT_EQ(j["model"], "llama3.2");
  EXPECT_TRUE(j["created_at"].is_string());
  EXPECT_EQ(j["message"]["role"], "assistant");
  EXPECT_EQ(j["message"]["content"], "echo: hi there");
  EXPECT_EQ(j["done"], true);
  EXPECT_EQ(j["done_reason"], "stop");
  EXPECT_EQ(j["prompt_eval_count"], 2);
  EXPECT_EQ(j["eval_count"], 3);
  EXPECT_TRUE(j["total_duration"].is_number_integer());
}

TEST_F(OllamaFake, ToolCallArgumentsAreAnObject) {
  const WireResult r = chat(R"({"model":"llama3.2","stream":false,
    "messages":[{"role":"user","content":"weather?"}],
    "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
      "properties":{"city":{"type":"string"},"hot":{"type":"boolean"}},"required":["city","hot"]}}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_of(r);
  const json& call = j["message"]["tool_calls"][0]["function"];
  EXPECT_EQ(call["name"], "get_weather");
  ASSERT_TRUE(call["arguments"].is_object());
  EXPECT_EQ(call["arguments"], json::parse(R"({"city":"test","hot":true})"));
  EXPECT_EQ(j["done"], true);
}

TEST_F(OllamaFake, ToolRoleMessageGetsTextAnswer) {
  const WireResult r = chat(R"({"model":"llama3.2","stream":false,"messages":[
    {"role":"user","content":"weather?"},
    {"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{}}}]},
    {"role":"tool","content":"cold"}],
    "tools":[{"type":"function","function":{"name":"get_weather","parameters":{}}}]})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json_of(r)["message"]["content"], "tool result: cold");
}

TEST_F(OllamaFake, StreamsNdjsonByDefault) {
  const WireResult r = chat(R"({"model":"llama3.2","messages":[{"role":"user","content":"x y"}]})");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.header("content-type"), "application/x-ndjson");
  const auto lines = ndjson_lines(r.body);
  ASSERT_GE(lines.size(), 3u);
  std::string text;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["done"], false);
    text += lines[i]["message"]["content"].get<std::string>();
  }
  EXPECT_EQ(text, "echo: x y");
  const json& last = lines.back();
  EXPECT_EQ(last["done"], true);
  EXPECT_EQ(last["done_reason"], "stop");
  EXPECT_EQ(last["eval_count"], 3);
  EXPECT_EQ(last["prompt_eval_count"], 2);
}

TEST_F(OllamaFake, ErrorsAreAnErrorString) {
  WireResult r = chat("nope");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(json_of(r)["error"].is_string());
  r = chat(R"({"messages":[]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"], "model is required");
}

TEST_F(OllamaFake, UnknownModelIs404WhenModelsAreConfigured) {
  FakeUpstreamOptions o = options_for(Vendor::kOllama);
  o.models = {"qwen2.5:0.5b"};
  auto fake = start_fake(o);
  const std::string body =
      R"({"model":"llama3.2","stream":false,"messages":[{"role":"user","content":"x"}]})";
  WireResult r = wire_call(fake->port(), "POST", "/api/chat", {}, body);
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(json_of(r)["error"].is_string());
  r = wire_call(
      fake->port(), "POST", "/api/chat", {},
      R"({"model":"qwen2.5:0.5b","stream":false,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 200);
}

TEST_F(OllamaFake, TagsProbe) {
  const WireResult r = wire_call(fake_->port(), "GET", "/api/tags");
  ASSERT_EQ(r.status, 200);
  const json j = json_of(r);
  ASSERT_FALSE(j["models"].empty());
  EXPECT_TRUE(j["models"][0]["name"].is_string());
  EXPECT_TRUE(j["models"][0]["details"].is_object());
  EXPECT_EQ(fake_->stats().chat_calls, 0u);
}

}  // namespace
}  // namespace osprey::fakes::testing
