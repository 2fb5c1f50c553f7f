#include <gtest/gtest.h>

#include "unit/fakes/fake_fixture.h"

namespace osprey::fakes::testing {
namespace {

using nlohmann::json;

const std::vector<std::pair<std::string, std::string>> kSigned = {
    {"Authorization",
     "AWS4-HMAC-SHA256 Credential=AKIDTEST/20250101/us-east-1/bedrock/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=abc123"},
    {"X-Amz-Date", "20250101T000000Z"},
    {"Content-Type", "application/json"}};

const char* kModelPath = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";

const char* kConverseToolRequest = R"({"messages":[{"role":"user","content":[{"text":"weather?"}]}],
  "toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"d",
    "inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}},
      "required":["city"]}}}}]}})";

struct Frame {
  std::map<std::string, std::string> headers;
  std::string payload;
};

std::uint32_t be32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// Reads event-stream frames (string headers only, which is all Bedrock sends for events).
std::vector<Frame> decode_frames(const std::string& body) {
  std::vector<Frame> frames;
  std::size_t pos = 0;
  while (pos + 16 <= body.size()) {
    const std::uint32_t total = be32(body, pos);
    const std::uint32_t hlen = be32(body, pos + 4);
    if (total < 16 || pos + total > body.size()) break;
    Frame f;
    std::size_t h = pos + 12;
    while (h < pos + 12 + hlen) {
      const std::size_t nlen = static_cast<unsigned char>(body[h]);
      const std::string name = body.substr(h + 1, nlen);
      const std::size_t vlen = (static_cast<unsigned char>(body[h + 2 + nlen]) << 8) |
                               static_cast<unsigned char>(body[h + 3 + nlen]);
      f.headers[name] = body.substr(h + 4 + nlen, vlen);
      h += 4 + nlen + vlen;
    }
    f.payload = body.substr(pos + 12 + hlen, total - 16 - hlen);
    frames.push_back(std::move(f));
    pos += total;
  }
  return frames;
}

class BedrockFake : public ::testing::Test {
 protected:
  void SetUp() override { fake_ = start_fake(options_for(Vendor::kBedrock)); }
  WireResult converse(const std::string& body, const std::string& path = kModelPath,
                      const std::vector<std::pair<std::string, std::string>>& h = kSigned) {
    return wire_call(fake_->port(), "POST", path, h, body);
  }
  std::unique_ptr<FakeUpstream> fake_;
};

TEST_F(BedrockFake, ConverseTextAnswer) {
  const WireResult r = converse(R"({"system":[{"text":"be nice"}],
    "inferenceConfig":{"maxTokens":50,"temperature":0},
    "messages":[{"role":"user","content":[{"text":"hello fake"}]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_of(r);
  EXPECT_EQ(j["output"]["message"]["role"], "assistant");
  EXPECT_EQ(j["output"]["message"]["content"][0]["text"], "echo: hello fake");
  EXPECT_EQ(j["stopReason"], "end_turn");
  EXPECT_EQ(j["usage"]["inputTokens"], 4);
  EXPECT_EQ(j["usage"]["outputTokens"], 3);
  EXPECT_EQ(j["usage"]["totalTokens"], 7);
  EXPECT_TRUE(j["metrics"]["latencyMs"].is_number());
}

TEST_F(BedrockFake, ConverseToolUse) {
  const WireResult r = converse(kConverseToolRequest);
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json_of(r);
  EXPECT_EQ(j["stopReason"], "tool_use");
  const json& use = j["output"]["message"]["content"][0]["toolUse"];
  EXPECT_TRUE(use["toolUseId"].is_string());
  EXPECT_EQ(use["name"], "get_weather");
  EXPECT_EQ(use["input"], json::parse(R"({"city":"test"})"));
}

TEST_F(BedrockFake, ToolResultGetsTextAnswer) {
  const WireResult r = converse(R"({"messages":[
    {"role":"user","content":[{"text":"weather?"}]},
    {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{}}}]},
    {"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":"foggy"}]}}]}],
    "toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{}}}}]}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r)["output"]["message"]["content"][0]["text"], "tool result: foggy");
}

TEST_F(BedrockFake, ConverseStreamUsesEventStreamFraming) {
  const std::string path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream";
  const WireResult r =
      converse(R"({"messages":[{"role":"user","content":[{"text":"p q"}]}]})", path);
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.header("content-type"), "application/vnd.amazon.eventstream");
  const auto frames = decode_frames(r.body);
  ASSERT_GE(frames.size(), 5u);
  std::vector<std::string> types;
  std::string text;
  for (const Frame& f : frames) {
    EXPECT_EQ(f.headers.at(":message-type"), "event");
    const std::string type = f.headers.at(":event-type");
    const json p = json::parse(f.payload);
    if (types.empty() || types.back() != type) types.push_back(type);
    if (type == "contentBlockDelta") text += p["delta"]["text"].get<std::string>();
    if (type == "messageStop") {
      EXPECT_EQ(p["stopReason"], "end_turn");
    }
    if (type == "metadata") {
      EXPECT_EQ(p["usage"]["outputTokens"], 3);
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{"messageStart", "contentBlockDelta",
                                             "contentBlockStop", "messageStop", "metadata"}));
  EXPECT_EQ(text, "echo: p q");
}

TEST_F(BedrockFake, StreamErrorIsAnExceptionFrame) {
  ASSERT_TRUE(fake_->patch_faults(json{{"stream_error_after_chunks", 1}}).ok());
  const std::string path = "/model/m/converse-stream";
  const WireResult r =
      converse(R"({"messages":[{"role":"user","content":[{"text":"p q"}]}]})", path);
  ASSERT_EQ(r.status, 200);
  const auto frames = decode_frames(r.body);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].headers.at(":event-type"), "messageStart");
  EXPECT_EQ(frames[1].headers.at(":message-type"), "exception");
  EXPECT_EQ(frames[1].headers.at(":exception-type"), "modelStreamErrorException");
  EXPECT_TRUE(json::parse(frames[1].payload)["message"].is_string());
}

TEST_F(BedrockFake, UnsignedRequestIs403WithErrorTypeHeader) {
  WireResult r = converse(kConverseToolRequest, kModelPath, {});
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.header("x-amzn-errortype").starts_with("MissingAuthenticationTokenException"));
  EXPECT_TRUE(json_of(r)["message"].is_string());
  r = converse(kConverseToolRequest, kModelPath, {{"Authorization", kSigned[0].second}});
  EXPECT_EQ(r.status, 403);  // no X-Amz-Date
  EXPECT_TRUE(r.header("x-amzn-errortype").starts_with("IncompleteSignatureException"));
}

TEST_F(BedrockFake, BadBodyIs400Validation) {
  const WireResult r = converse(R"({"inferenceConfig":{}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.header("x-amzn-errortype").starts_with("ValidationException"));
  EXPECT_TRUE(json_of(r)["message"].is_string());
}

TEST_F(BedrockFake, ThrottlingIs429ThrottlingException) {
  ASSERT_TRUE(fake_->patch_faults(json{{"status", 429}}).ok());
  const WireResult r = converse(kConverseToolRequest);
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.header("x-amzn-errortype").starts_with("ThrottlingException"));
}

TEST_F(BedrockFake, ListFoundationModelsProbe) {
  const WireResult r = wire_call(fake_->port(), "GET", "/foundation-models", kSigned);
  ASSERT_EQ(r.status, 200);
  const json j = json_of(r);
  ASSERT_FALSE(j["modelSummaries"].empty());
  EXPECT_TRUE(j["modelSummaries"][0]["modelId"].is_string());
  EXPECT_EQ(fake_->stats().probe_calls, 1u);
}

}  // namespace
}  // namespace osprey::fakes::testing
