#include <gtest/gtest.h>

#include "unit/fakes/fake_fixture.h"

namespace osprey::fakes::testing {
namespace {

using nlohmann::json;

const std::vector<std::pair<std::string, std::string>> kHeaders = {
    {"x-api-key", "ak-test"},
    {"anthropic-version", "2023-06-01"},
    {"content-type", "application/json"}};

const char* kAnthropicToolRequest = R"({"model":"claude-sonnet-4-20250514","max_tokens":100,
  "messages":[{"role":"user","content":"weather?"}],
  "tools":[{"name":"get_weather","description":"d","input_schema":{"type":"object",
    "properties":{"city":{"type":"string"}},"required":["city"]}}]})";

class AnthropicFake : public ::testing::Test {
 protected:
  void SetUp() override { fake_ = start_fake(options_for(Vendor::kAnthropic)); }
  WireResult messages(const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& h = kHeaders) {
    return wire_call(fake_->port(), "POST", "/v1/messages", h, body);
  }
  std::unique_ptr<FakeUpstream> fake_;
};

TEST_F(AnthropicFake, TextRequestGetsAMessage) {
  const WireResult r = messages(R"({"model":"claude-sonnet-4-20250514","max_tokens":64,
    "system":"be brief","messages":[{"role":"user","content":[{"type":"text","text":"hi you"}]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_of(r);
  EXPECT_EQ(j["type"], "message");
  EXPECT_EQ(j["role"], "assistant");
  EXPECT_TRUE(j["id"].get<std::string>().starts_with("msg_"));
  EXPECT_EQ(j["model"], "claude-sonnet-4-20250514");
  ASSERT_EQ(j["content"].size(), 1u);
  EXPECT_EQ(j["content"][0]["type"], "text");
  EXPECT_EQ(j["content"][0]["text"], "echo: hi you");
  EXPECT_EQ(j["stop_reason"], "end_turn");
  EXPECT_TRUE(j["stop_sequence"].is_null());
  EXPECT_EQ(j["usage"]["input_tokens"], 4);
  EXPECT_EQ(j["usage"]["output_tokens"], 3);
}

TEST_F(AnthropicFake, ToolRequestGetsToolUse) {
  const WireResult r = messages(kAnthropicToolRequest);
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_of(r);
  EXPECT_EQ(j["stop_reason"], "tool_use");
  const json& block = j["content"][0];
  EXPECT_EQ(block["type"], "tool_use");
  EXPECT_TRUE(block["id"].get<std::string>().starts_with("toolu_"));
  EXPECT_EQ(block["name"], "get_weather");
  EXPECT_EQ(block["input"], json::parse(R"({"city":"test"})"));
}

TEST_F(AnthropicFake, ToolResultGetsTextAnswer) {
  const WireResult r = messages(R"({"model":"m","max_tokens":10,"messages":[
    {"role":"user","content":"weather?"},
    {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",
      "content":[{"type":"text","text":"rainy"}]}]}],
    "tools":[{"name":"get_weather","input_schema":{"type":"object"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r)["content"][0]["text"], "tool result: rainy");
}

TEST_F(AnthropicFake, StreamFollowsTheDocumentedEventSequence) {
  const WireResult r = messages(R"({"model":"m","max_tokens":10,"stream":true,
    "messages":[{"role":"user","content":"a b c"}]})");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_TRUE(r.header("content-type").starts_with("text/event-stream"));
  const auto events = parse_sse(r.body);
  ASSERT_GE(events.size(), 7u);
  std::vector<std::string> order;
  std::string text;
  for (const auto& [event, data] : events) {
    const json d = json::parse(data);
    EXPECT_EQ(d["type"], event);  // the event name repeats the data's type
    if (order.empty() || order.back() != event) order.push_back(event);
    if (event == "content_block_delta") {
      EXPECT_EQ(d["delta"]["type"], "text_delta");
      text += d["delta"]["text"].get<std::string>();
    }
    if (event == "message_start") {
      EXPECT_EQ(d["message"]["usage"]["input_tokens"], 3);
      EXPECT_TRUE(d["message"]["content"].empty());
    }
    if (event == "message_delta") {
      EXPECT_EQ(d["delta"]["stop_reason"], "end_turn");
      EXPECT_EQ(d["usage"]["output_tokens"], 4);
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{"message_start", "content_block_start", "ping",
                                             "content_block_delta", "content_block_stop",
                                             "message_delta", "message_stop"}));
  EXPECT_EQ(text, "echo: a b c");
}

TEST_F(AnthropicFake, StreamedToolUseSendsInputJsonDeltas) {
  json req = json::parse(kAnthropicToolRequest);
  req["stream"] = true;
  const WireResult r = messages(req.dump());
  ASSERT_TRUE(r.complete);
  std::string partial;
  std::string stop;
  for (const auto& [event, data] : parse_sse(r.body)) {
    const json d = json::parse(data);
    if (event == "content_block_start") {
      EXPECT_EQ(d["content_block"]["type"], "tool_use");
      EXPECT_EQ(d["content_block"]["name"], "get_weather");
    }
    if (event == "content_block_delta") {
      EXPECT_EQ(d["delta"]["type"], "input_json_delta");
      partial += d["delta"]["partial_json"].get<std::string>();
    }
    if (event == "message_delta") stop = d["delta"]["stop_reason"];
  }
  EXPECT_EQ(json::parse(partial), json::parse(R"({"city":"test"})"));
  EXPECT_EQ(stop, "tool_use");
}

TEST_F(AnthropicFake, AuthAndVersionHeadersAreRequired) {
  WireResult r = messages(kAnthropicToolRequest, {{"anthropic-version", "2023-06-01"}});
  EXPECT_EQ(r.status, 401);
  json j = json_of(r);
  EXPECT_EQ(j["type"], "error");
  EXPECT_EQ(j["error"]["type"], "authentication_error");
  r = messages(kAnthropicToolRequest, {{"x-api-key", "k"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["type"], "invalid_request_error");
}

TEST_F(AnthropicFake, MaxTokensIsRequiredAndBadJsonIs400) {
  WireResult r = messages(R"({"model":"m","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(json_of(r)["error"]["message"].get<std::string>().find("max_tokens"),
            std::string::npos);
  r = messages("{\"model\":");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["type"], "invalid_request_error");
}

TEST_F(AnthropicFake, OverloadedIs529WithOverloadedError) {
  ASSERT_TRUE(fake_->patch_faults(json{{"status", 529}}).ok());
  const WireResult r = messages(kAnthropicToolRequest);
  EXPECT_EQ(r.status, 529);
  const json j = json_of(r);
  EXPECT_EQ(j["type"], "error");
  EXPECT_EQ(j["error"]["type"], "overloaded_error");
}

TEST_F(AnthropicFake, StreamErrorAfterChunksSendsAnOverloadedErrorEvent) {
  ASSERT_TRUE(fake_->patch_faults(json{{"stream_error_after_chunks", 2}}).ok());
  json req = json::parse(kAnthropicToolRequest);
  req["stream"] = true;
  const WireResult r = messages(req.dump());
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);
  const auto events = parse_sse(r.body);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].first, "message_start");
  EXPECT_EQ(events[2].first, "error");
  const json e = json::parse(events[2].second);
  EXPECT_EQ(e["type"], "error");
  EXPECT_EQ(e["error"]["type"], "overloaded_error");
}

TEST_F(AnthropicFake, ModelsProbe) {
  const WireResult r = wire_call(fake_->port(), "GET", "/v1/models", kHeaders);
  ASSERT_EQ(r.status, 200);
  const json j = json_of(r);
  EXPECT_EQ(j["data"][0]["type"], "model");
  EXPECT_EQ(j["has_more"], false);
}

}  // namespace
}  // namespace osprey::fakes::testing
