#include "providers/bedrock/converse_codec.h"

#include <gtest/gtest.h>

#include "providers/bedrock/converse_stream_parser.h"
#include "providers/openai/openai_request_parser.h"
#include "providers/stream_accumulator.h"
#include "unit/providers/bedrock/event_stream_frame.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::bedrock {
namespace {

using nlohmann::json;
using providers::testing::read_fixture;
using providers::testing::read_json_fixture;

ChatRequest golden_request_without_url_image() {
  json body = read_json_fixture("openai/client_request_tools.json");
  body["messages"][2]["content"].erase(2);  // Converse takes inline images only
  auto req = openai::parse_chat_request(body);
  EXPECT_TRUE(req.ok());
  return std::move(req).value();
}

TEST(ConverseCodec, BuildsConverseBodyFromGoldenRequest) {
  auto body = build_converse_request(golden_request_without_url_image());
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_FALSE(body->contains("model"));  // the model id is in the URL
  EXPECT_EQ((*body)["system"], (json::array({{{"text", "You are a weather assistant."}},
                                             {{"text", "Answer in one sentence."}}})));
  const json& inference = (*body)["inferenceConfig"];
  ASSERT_TRUE(inference.contains("temperature"));
  EXPECT_EQ(inference["temperature"], 0);
  EXPECT_EQ(inference["maxTokens"], 256);
  EXPECT_EQ(inference["topP"], 1.0);
  EXPECT_EQ(inference["stopSequences"], json::array({"\n\nHuman:"}));

  const json& tool_config = (*body)["toolConfig"];
  EXPECT_EQ(tool_config["toolChoice"], (json{{"tool", {{"name", "get_current_weather"}}}}));
  const json& spec = tool_config["tools"][0]["toolSpec"];
  EXPECT_EQ(spec["name"], "get_current_weather");
  EXPECT_EQ(spec["description"], "Get the current weather in a given location");
  EXPECT_EQ(spec["inputSchema"]["json"]["required"], json::array({"location"}));

  const json& msgs = (*body)["messages"];
  ASSERT_EQ(msgs.size(), 5u);  // tool results merged into one user turn
  EXPECT_EQ(msgs[0]["content"][0],
            (json{{"text", "What is the weather in Paris and Boston? Here is a photo."}}));
  EXPECT_EQ(msgs[0]["content"][1],
            (json{{"image", {{"format", "png"}, {"source", {{"bytes", "iVBORw0KGgo="}}}}}}));
  EXPECT_EQ(msgs[1]["role"], "assistant");
  EXPECT_EQ(msgs[1]["content"][0],
            (json{{"toolUse",
                   {{"toolUseId", "call_paris"},
                    {"name", "get_current_weather"},
                    {"input", {{"location", "Paris, FR"}, {"unit", "celsius"}}}}}}));
  EXPECT_EQ(msgs[2]["role"], "user");
  EXPECT_EQ(msgs[2]["content"][0],
            (json{{"toolResult",
                   {{"toolUseId", "call_paris"},
                    {"content", {{{"text", "{\"temperature\": 18, \"conditions\": \"cloudy\"}"}}}},
                    {"status", "success"}}}}));
  EXPECT_EQ(msgs[2]["content"][1]["toolResult"]["toolUseId"], "call_boston");
  EXPECT_EQ(msgs[4]["content"][0]["text"], "Thanks. And Berlin?");
}

TEST(ConverseCodec, ToolResultJsonAndErrorStatus) {
  ChatRequest req;
  req.messages.push_back(Message{Role::kAssistant, {ToolUseBlock{"t1", "f", json::object()}}});
  ToolResultBlock result{"t1", {{ToolResultPart::Kind::kJson, "", json{{"temp", 3}}}}, true};
  req.messages.push_back(Message{Role::kUser, {result}});
  auto body = build_converse_request(req);
  ASSERT_TRUE(body.ok());
  const json& tr = (*body)["messages"][1]["content"][0]["toolResult"];
  EXPECT_EQ(tr["content"], json::array({{{"json", {{"temp", 3}}}}}));
  EXPECT_EQ(tr["status"], "error");
  EXPECT_FALSE(body->contains("inferenceConfig"));  // nothing set, nothing sent
}

TEST(ConverseCodec, MapsToolChoices) {
  ChatRequest req;
  req.messages.push_back(Message{Role::kUser, {TextBlock{"hi"}}});
  req.tools.push_back(ToolSpec{"f", "", json::object()});
  auto config = [&](ToolChoice::Kind kind) {
    req.tool_choice = ToolChoice{kind, kind == ToolChoice::Kind::kTool ? "f" : ""};
    return (*build_converse_request(req)).value("toolConfig", json());
  };
  EXPECT_EQ(config(ToolChoice::Kind::kAuto)["toolChoice"], (json{{"auto", json::object()}}));
  EXPECT_EQ(config(ToolChoice::Kind::kRequired)["toolChoice"], (json{{"any", json::object()}}));
  EXPECT_EQ(config(ToolChoice::Kind::kTool)["toolChoice"], (json{{"tool", {{"name", "f"}}}}));
  // No "none" in Converse: without tool history the tools are simply not offered.
  EXPECT_TRUE(config(ToolChoice::Kind::kNone).is_null());
}

TEST(ConverseCodec, ProviderOptionsBecomeAdditionalModelRequestFields) {
  ChatRequest req;
  req.messages.push_back(Message{Role::kUser, {TextBlock{"hi"}}});
  req.provider_options = {{"top_k", 50}};
  EXPECT_EQ((*build_converse_request(req))["additionalModelRequestFields"], (json{{"top_k", 50}}));
}

TEST(ConverseCodec, RejectsImageUrls) {
  auto req = openai::parse_chat_request(read_json_fixture("openai/client_request_tools.json"));
  ASSERT_TRUE(req.ok());
  auto body = build_converse_request(*req);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.code(), ErrorCode::kInvalidRequest);
  EXPECT_NE(body.error().message.find("messages[0].content[2]"), std::string::npos);
}

TEST(ConverseCodec, ParsesToolUseResponseWithNames) {
  auto r = parse_converse_response(read_fixture("bedrock/response_tool_use.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(std::get<TextBlock>(r->content[0]).text, "I'll look up the weather in Berlin.");
  const auto& tool = std::get<ToolUseBlock>(r->content[1]);
  EXPECT_EQ(tool.id, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
  EXPECT_EQ(tool.name, "get_current_weather");
  EXPECT_EQ(tool.input, (json{{"location", "Berlin, DE"}}));
  EXPECT_EQ(r->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r->usage.input_tokens, 401);
  EXPECT_EQ(r->usage.output_tokens, 67);
}

TEST(ConverseCodec, ParsesTextResponseAndStopReasons) {
  auto r = parse_converse_response(read_fixture("bedrock/response_text.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(response_text(*r), "Hello! How can I help you today?");
  EXPECT_EQ(r->stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(parse_stop_reason("max_tokens"), StopReason::kMaxTokens);
  EXPECT_EQ(parse_stop_reason("stop_sequence"), StopReason::kStopSequence);
  EXPECT_EQ(parse_stop_reason("content_filtered"), StopReason::kContentFilter);
  EXPECT_EQ(parse_stop_reason("guardrail_intervened"), StopReason::kContentFilter);
  EXPECT_EQ(parse_stop_reason("something_new"), StopReason::kUnknown);
}

TEST(ConverseCodec, MalformedResponseIsUpstreamError) {
  for (const char* body :
       {"", "{}", "{\"output\": {\"message\": {\"content\": {}}}}",
        "{\"output\": {\"message\": {\"content\": [{\"toolUse\": {\"name\": 1}}]}}}"}) {
    auto r = parse_converse_response(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.code(), ErrorCode::kUpstreamError) << body;
  }
}

TEST(ConverseStreamParser, AssemblesRecordedStreamFromBinaryFrames) {
  // Encode the recorded events as the wire frames Bedrock sends, then decode them back.
  std::string wire;
  for (const auto& e : read_json_fixture("bedrock/stream_tool_use.json")) {
    wire += testing::encode_frame({{":event-type", e["event"].get<std::string>()},
                                   {":content-type", "application/json"},
                                   {":message-type", "event"}},
                                  e["payload"].dump());
  }
  EventStreamDecoder decoder;
  ConverseStreamParser parser("anthropic.claude-3-haiku");
  StreamAccumulator acc;
  for (std::size_t i = 0; i < wire.size(); i += 100) {
    auto frames = decoder.feed(std::string_view(wire).substr(i, 100));
    ASSERT_TRUE(frames.ok()) << frames.error().message;
    for (const auto& frame : *frames) {
      auto events = parser.feed(frame);
      ASSERT_TRUE(events.ok()) << events.error().message;
      for (const auto& ev : *events) acc.add(ev);
    }
  }
  EXPECT_TRUE(parser.done());
  const ChatResponse r = acc.response();
  EXPECT_EQ(r.model, "anthropic.claude-3-haiku");
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(std::get<TextBlock>(r.content[0]).text, "Let me check the weather.");
  const auto& tool = std::get<ToolUseBlock>(r.content[1]);
  EXPECT_EQ(tool.id, "tooluse_Oz3VXmBCR2CR4w3ByGkUMg");
  EXPECT_EQ(tool.name, "get_current_weather");
  EXPECT_EQ(tool.input, (json{{"location", "Berlin, DE"}}));
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r.usage.input_tokens, 401);
  EXPECT_EQ(r.usage.output_tokens, 67);
}

TEST(ConverseStreamParser, ExceptionFrameIsAnError) {
  ConverseStreamParser parser("m");
  EventStreamMessage frame;
  frame.headers = {{":message-type", "exception"}, {":exception-type", "throttlingException"}};
  frame.payload = R"({"message":"Too many requests, please wait before trying again."})";
  auto r = parser.feed(frame);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), ErrorCode::kUpstreamRateLimited);
  EXPECT_TRUE(parser.last_error()->retryable);
  EXPECT_FALSE(parser.feed_event("contentBlockDelta", "not json").ok());
}

struct ErrorCase {
  int status;
  const char* error_type;
  const char* fixture;
  ErrorCode code;
  bool retryable;
  const char* message_part;
};

class BedrockErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(BedrockErrors, MapToStableCodes) {
  const auto& c = GetParam();
  // A fixture starting with '=' is the literal body itself.
  const std::string body =
      c.fixture[0] == '=' ? std::string(c.fixture + 1) : read_fixture(c.fixture);
  UpstreamError e = parse_error(c.status, c.error_type, body);
  EXPECT_EQ(e.code, c.code);
  EXPECT_EQ(e.retryable, c.retryable);
  EXPECT_EQ(e.http_status, c.status);
  EXPECT_NE(e.message.find(c.message_part), std::string::npos) << e.message;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, BedrockErrors,
    ::testing::Values(
        ErrorCase{400, "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
                  "bedrock/error_validation.json", ErrorCode::kInvalidRequest, false,
                  "ValidationException: A conversation must alternate"},
        ErrorCase{403, "AccessDeniedException", "bedrock/error_access_denied.json",
                  ErrorCode::kUpstreamError, false, "don't have access"},
        ErrorCase{429, "ThrottlingException", "bedrock/error_throttling.json",
                  ErrorCode::kUpstreamRateLimited, true, "Too many requests"},
        ErrorCase{429, "ModelNotReadyException", "={\"message\":\"Model is not ready\"}",
                  ErrorCode::kUpstreamRateLimited, true, "Model is not ready"},
        ErrorCase{503, "ServiceUnavailableException", "bedrock/error_unavailable.json",
                  ErrorCode::kUpstreamError, true, "unable to process"},
        ErrorCase{500, "", "=not json", ErrorCode::kUpstreamError, true, "unrecognized body"}));

TEST(BedrockErrors, StatusForStreamExceptions) {
  EXPECT_EQ(status_for_exception("throttlingException"), 429);
  EXPECT_EQ(status_for_exception("ValidationException:http://internal.amazon.com/"), 400);
  EXPECT_EQ(status_for_exception("modelTimeoutException"), 408);
  EXPECT_EQ(status_for_exception("serviceUnavailableException"), 503);
  EXPECT_EQ(status_for_exception("internalServerException"), 500);
}

TEST(BedrockErrors, ThrottlingHonoursRetryAfter) {
  UpstreamError e = parse_error(429, "ThrottlingException",
                                read_fixture("bedrock/error_throttling.json"), {"2", ""});
  EXPECT_EQ(e.retry_after, std::chrono::milliseconds(2000));
}

}  // namespace
}  // namespace osprey::providers::bedrock
