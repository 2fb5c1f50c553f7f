#include "providers/openai/openai_upstream_codec.h"

#include <gtest/gtest.h>

#include "providers/openai/openai_request_parser.h"
#include "providers/openai/openai_stream_parser.h"
#include "providers/stream_accumulator.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::openai {
namespace {

using nlohmann::json;
using testing::read_fixture;
using testing::read_json_fixture;

ChatRequest golden_request() {
  auto req = parse_chat_request(read_json_fixture("openai/client_request_tools.json"));
  EXPECT_TRUE(req.ok());
  return std::move(req).value();
}

TEST(OpenAiUpstreamCodec, BuildsRequestWithTemperatureZeroAndToolChoice) {
  const json body = build_chat_request(golden_request());
  ASSERT_TRUE(body.contains("temperature"));
  EXPECT_EQ(body["temperature"], 0);
  EXPECT_EQ(body["tool_choice"],
            (json{{"type", "function"}, {"function", {{"name", "get_current_weather"}}}}));
  EXPECT_EQ(body["max_tokens"], 256);
  EXPECT_EQ(body["stop"], json::array({"\n\nHuman:"}));
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(body["frequency_penalty"], 0.5);  // extra forwarded
}

TEST(OpenAiUpstreamCodec, RoundTripPreservesConversationSemantics) {
  const json original = read_json_fixture("openai/client_request_tools.json");
  const json body = build_chat_request(golden_request());
  const json& msgs = body["messages"];
  // system + developer both become system messages, then the 7 other messages in order.
  ASSERT_EQ(msgs.size(), 8u);
  EXPECT_EQ(msgs[0], (json{{"role", "system"}, {"content", "You are a weather assistant."}}));
  EXPECT_EQ(msgs[1], (json{{"role", "system"}, {"content", "Answer in one sentence."}}));
  EXPECT_EQ(msgs[2]["role"], "user");
  EXPECT_EQ(msgs[2]["content"][1]["image_url"]["url"], "data:image/png;base64,iVBORw0KGgo=");
  EXPECT_EQ(msgs[2]["content"][2]["image_url"]["url"], "https://example.com/sky.jpg");
  // The detail level (it sets the image's token cost) goes through when given.
  EXPECT_EQ(msgs[2]["content"][1]["image_url"]["detail"], "low");
  EXPECT_FALSE(msgs[2]["content"][2]["image_url"].contains("detail"));
  EXPECT_TRUE(msgs[3]["content"].is_null());
  const json& calls = msgs[3]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(
      json::parse(calls[0]["function"]["arguments"].get<std::string>()),
      json::parse(
          original["messages"][3]["tool_calls"][0]["function"]["arguments"].get<std::string>()));
  // Arguments that were not JSON go back byte for byte.
  EXPECT_EQ(calls[1]["function"]["arguments"],
            original["messages"][3]["tool_calls"][1]["function"]["arguments"]);
  EXPECT_EQ(msgs[4], (json{{"role", "tool"},
                           {"tool_call_id", "call_paris"},
                           {"content", "{\"temperature\": 18, \"conditions\": \"cloudy\"}"}}));
  EXPECT_EQ(msgs[5]["tool_call_id"], "call_boston");
  EXPECT_EQ(msgs[6]["content"], original["messages"][6]["content"]);
  EXPECT_EQ(msgs[7], (json{{"role", "user"}, {"content", "Thanks. And Berlin?"}}));
  EXPECT_EQ(body["tools"][0]["function"], original["tools"][0]["function"]);

  // Parsing our own output again yields the same normalized request.
  json reparsed_body = body;
  auto again = parse_chat_request(reparsed_body);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(build_chat_request(*again), body);
}

TEST(OpenAiUpstreamCodec, UnsetOptionsAreOmitted) {
  ChatRequest req;
  req.model = "m";
  req.messages.push_back(Message{Role::kUser, {TextBlock{"hi"}}});
  const json body = build_chat_request(req);
  EXPECT_FALSE(body.contains("temperature"));
  EXPECT_FALSE(body.contains("max_tokens"));
  EXPECT_FALSE(body.contains("tools"));
  EXPECT_FALSE(body.contains("stream_options"));
  EXPECT_EQ(body["stream"], false);
}

TEST(OpenAiUpstreamCodec, ParsesToolCallResponseWithNames) {
  auto r = parse_chat_response(read_fixture("openai/response_tool_calls.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, "chatcmpl-9xYz");
  EXPECT_EQ(r->created, 1727900000);
  EXPECT_EQ(r->stop_reason, StopReason::kToolUse);
  ASSERT_EQ(r->content.size(), 1u);
  const auto& tool = std::get<ToolUseBlock>(r->content[0]);
  EXPECT_EQ(tool.id, "call_berlin");
  EXPECT_EQ(tool.name, "get_current_weather");
  EXPECT_EQ(tool.input, (json{{"location", "Berlin, DE"}, {"unit", "celsius"}}));
  EXPECT_EQ(r->usage.input_tokens, 182);
  EXPECT_EQ(r->usage.output_tokens, 24);
}

TEST(OpenAiUpstreamCodec, ParsesTextResponse) {
  auto r = parse_chat_response(read_fixture("openai/response_text.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(response_text(*r), "\n\nHello there, how may I assist you today?");
  EXPECT_EQ(r->stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(r->usage.output_tokens, 12);
}

TEST(OpenAiUpstreamCodec, MalformedResponseIsUpstreamError) {
  for (const char* body :
       {"<html>502 Bad Gateway</html>", "{\"choices\": []}", "{\"choices\": [{\"message\": 3}]}",
        "{\"id\": 5, \"choices\": "
        "[{\"message\": {\"content\": \"x\"}}]}"}) {
    auto r = parse_chat_response(std::string_view(body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.code(), ErrorCode::kUpstreamError) << body;
  }
}

std::vector<StreamEvent> feed_all(OpenAiStreamParser& parser, const std::string& fixture) {
  std::vector<StreamEvent> events;
  for (const auto& sse : testing::split_sse(read_fixture(fixture))) {
    auto out = parser.feed(sse.data);
    EXPECT_TRUE(out.ok()) << sse.data;
    if (out.ok()) events.insert(events.end(), out->begin(), out->end());
  }
  return events;
}

TEST(OpenAiStreamParser, AssemblesTextStreamWithUsage) {
  OpenAiStreamParser parser;
  StreamAccumulator acc;
  for (const auto& e : feed_all(parser, "openai/stream_text.sse")) acc.add(e);
  EXPECT_TRUE(parser.done());
  const ChatResponse r = acc.response();
  EXPECT_EQ(r.id, "chatcmpl-123");
  EXPECT_EQ(r.model, "gpt-4o-mini");
  EXPECT_EQ(response_text(r), "Hello there!");
  EXPECT_EQ(r.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(r.usage.input_tokens, 9);
  EXPECT_EQ(r.usage.output_tokens, 3);
}

TEST(OpenAiStreamParser, AssemblesParallelToolCalls) {
  OpenAiStreamParser parser;
  StreamAccumulator acc;
  for (const auto& e : feed_all(parser, "openai/stream_tool_calls.sse")) acc.add(e);
  const ChatResponse r = acc.response();
  ASSERT_EQ(r.content.size(), 2u);
  const auto& paris = std::get<ToolUseBlock>(r.content[0]);
  EXPECT_EQ(paris.id, "call_paris");
  EXPECT_EQ(paris.name, "get_current_weather");
  EXPECT_EQ(paris.input, (json{{"location", "Paris, FR"}}));
  const auto& boston = std::get<ToolUseBlock>(r.content[1]);
  EXPECT_EQ(boston.id, "call_boston");
  EXPECT_EQ(boston.input, (json{{"location", "Boston, MA"}}));
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r.usage.input_tokens, 87);
  EXPECT_EQ(r.usage.output_tokens, 41);
}

TEST(OpenAiStreamParser, ErrorsInStreamAreReported) {
  OpenAiStreamParser parser;
  auto bad = parser.feed("{not json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), ErrorCode::kUpstreamError);

  OpenAiStreamParser parser2;
  auto err = parser2.feed(R"({"error":{"message":"overloaded","type":"server_error"}})");
  ASSERT_FALSE(err.ok());
  ASSERT_TRUE(parser2.last_error().has_value());
  EXPECT_NE(parser2.last_error()->message.find("overloaded"), std::string::npos);
}

struct ErrorCase {
  int status;
  const char* fixture;
  ErrorCode code;
  bool retryable;
  const char* message_part;
};

class OpenAiErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(OpenAiErrors, MapToStableCodes) {
  const auto& c = GetParam();
  // A fixture starting with '=' is the literal body itself.
  const std::string body =
      c.fixture[0] == '=' ? std::string(c.fixture + 1) : read_fixture(c.fixture);
  UpstreamError e = parse_error(c.status, body, {"20", ""});
  EXPECT_EQ(e.code, c.code);
  EXPECT_EQ(e.retryable, c.retryable);
  EXPECT_EQ(e.http_status, c.status);
  EXPECT_NE(e.message.find(c.message_part), std::string::npos) << e.message;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, OpenAiErrors,
    ::testing::Values(ErrorCase{400, "openai/error_400.json", ErrorCode::kInvalidRequest, false,
                                "Invalid value for 'temperature'"},
                      ErrorCase{401, "openai/error_401.json", ErrorCode::kUpstreamError, false,
                                "Incorrect API key"},
                      ErrorCase{429, "openai/error_429.json", ErrorCode::kUpstreamRateLimited, true,
                                "Rate limit reached"},
                      ErrorCase{500, "openai/error_500.json", ErrorCode::kUpstreamError, true,
                                "server had an error"},
                      ErrorCase{502, "=<html>bad gateway</html>", ErrorCode::kUpstreamError, true,
                                "unrecognized body: <html>bad gateway</html>"}));

TEST(OpenAiErrors, RateLimitCarriesRetryAfter) {
  UpstreamError e = parse_error(429, read_fixture("openai/error_429.json"), {"20", ""});
  ASSERT_TRUE(e.retry_after.has_value());
  EXPECT_EQ(*e.retry_after, std::chrono::milliseconds(20000));
  UpstreamError ms = parse_error(429, read_fixture("openai/error_429.json"), {"", "250"});
  EXPECT_EQ(ms.retry_after, std::chrono::milliseconds(250));
}

}  // namespace
}  // namespace osprey::providers::openai
