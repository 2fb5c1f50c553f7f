#include "providers/anthropic/anthropic_codec.h"

#include <gtest/gtest.h>

#include "providers/anthropic/anthropic_stream_parser.h"
#include "providers/openai/openai_request_parser.h"
#include "providers/stream_accumulator.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::anthropic {
namespace {

using nlohmann::json;
using testing::read_fixture;
using testing::read_json_fixture;

ChatRequest golden_request() {
  auto req = openai::parse_chat_request(read_json_fixture("openai/client_request_tools.json"));
  EXPECT_TRUE(req.ok());
  return std::move(req).value();
}

TEST(AnthropicCodec, BuildsMessagesBodyFromGoldenRequest) {
  const json body = build_messages_request(golden_request());
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["max_tokens"], 256);
  ASSERT_TRUE(body.contains("temperature"));
  EXPECT_EQ(body["temperature"], 0);
  EXPECT_EQ(body["top_p"], 1.0);
  EXPECT_EQ(body["stop_sequences"], json::array({"\n\nHuman:"}));
  EXPECT_EQ(body["metadata"], (json{{"user_id", "user-1234"}}));
  EXPECT_EQ(body["stream"], true);
  // The real field: tool_choice {"type":"tool","name":...}.
  EXPECT_EQ(body["tool_choice"], (json{{"type", "tool"}, {"name", "get_current_weather"}}));
  EXPECT_EQ(body["tools"][0]["name"], "get_current_weather");
  EXPECT_EQ(body["tools"][0]["description"], "Get the current weather in a given location");
  EXPECT_EQ(body["tools"][0]["input_schema"]["required"], json::array({"location"}));
  EXPECT_FALSE(body["tools"][0].contains("parameters"));
  // Two system prompts become system text blocks.
  EXPECT_EQ(body["system"],
            (json::array({{{"type", "text"}, {"text", "You are a weather assistant."}},
                          {{"type", "text"}, {"text", "Answer in one sentence."}}})));
  // OpenAI fields with no Anthropic meaning are not forwarded.
  EXPECT_FALSE(body.contains("seed"));
  EXPECT_FALSE(body.contains("frequency_penalty"));
}

TEST(AnthropicCodec, MergesTurnsAndPutsToolResultsInAUserTurn) {
  const json msgs = build_messages_request(golden_request())["messages"];
  // user, assistant(tool_use x2), user(tool_result x2), assistant(text), user(text)
  ASSERT_EQ(msgs.size(), 5u);
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_EQ(msgs[i]["role"], i % 2 == 0 ? "user" : "assistant") << i;
  }
  const json& first = msgs[0]["content"];
  EXPECT_EQ(first[1],
            (json{{"type", "image"},
                  {"source",
                   {{"type", "base64"}, {"media_type", "image/png"}, {"data", "iVBORw0KGgo="}}}}));
  EXPECT_EQ(first[2]["source"], (json{{"type", "url"}, {"url", "https://example.com/sky.jpg"}}));
  const json& calls = msgs[1]["content"];
  EXPECT_EQ(calls[0], (json{{"type", "tool_use"},
                            {"id", "call_paris"},
                            {"name", "get_current_weather"},
                            {"input", {{"location", "Paris, FR"}, {"unit", "celsius"}}}}));
  EXPECT_TRUE(calls[1]["input"].is_object());  // broken arguments still give an object
  const json& results = msgs[2]["content"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["type"], "tool_result");
  EXPECT_EQ(results[0]["tool_use_id"], "call_paris");
  EXPECT_EQ(results[1]["tool_use_id"], "call_boston");
}

TEST(AnthropicCodec, ToolResultsComeFirstInAMergedUserTurn) {
  ChatRequest req;
  req.model = "claude";
  req.messages.push_back(Message{Role::kAssistant, {ToolUseBlock{"t1", "f", json::object()}}});
  req.messages.push_back(Message{Role::kUser, {TextBlock{"also this"}}});
  ToolResultBlock result{"t1", {{ToolResultPart::Kind::kJson, "", json{{"ok", true}}}}, true};
  req.messages.push_back(Message{Role::kUser, {result}});
  const json body = build_messages_request(req);
  ASSERT_EQ(body["messages"].size(), 2u);
  const json& user = body["messages"][1]["content"];
  EXPECT_EQ(user[0]["type"], "tool_result");
  EXPECT_EQ(user[0]["is_error"], true);
  EXPECT_EQ(user[0]["content"][0]["text"], "{\"ok\":true}");
  EXPECT_EQ(user[1]["type"], "text");
  EXPECT_EQ(body["max_tokens"], kDefaultMaxTokens);
  EXPECT_FALSE(body.contains("temperature"));
}

TEST(AnthropicCodec, MapsEveryToolChoice) {
  ChatRequest req;
  req.model = "claude";
  req.messages.push_back(Message{Role::kUser, {TextBlock{"hi"}}});
  req.tools.push_back(ToolSpec{"f", "", json::object()});
  auto choice = [&](ToolChoice::Kind kind) {
    req.tool_choice = ToolChoice{kind, kind == ToolChoice::Kind::kTool ? "f" : ""};
    return build_messages_request(req)["tool_choice"];
  };
  EXPECT_EQ(choice(ToolChoice::Kind::kAuto), (json{{"type", "auto"}}));
  EXPECT_EQ(choice(ToolChoice::Kind::kRequired), (json{{"type", "any"}}));
  EXPECT_EQ(choice(ToolChoice::Kind::kNone), (json{{"type", "none"}}));
  EXPECT_EQ(choice(ToolChoice::Kind::kTool), (json{{"type", "tool"}, {"name", "f"}}));
}

TEST(AnthropicCodec, ParsesToolUseResponseWithNames) {
  auto r = parse_messages_response(read_fixture("anthropic/response_tool_use.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, "msg_01Aq9w938a90dw8q");
  EXPECT_EQ(r->model, "claude-sonnet-4-20250514");
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(std::get<TextBlock>(r->content[0]).text,
            "I'll check the current weather in Berlin for you.");
  const auto& tool = std::get<ToolUseBlock>(r->content[1]);
  EXPECT_EQ(tool.id, "toolu_01A09q90qw90lq917835lq9");
  EXPECT_EQ(tool.name, "get_current_weather");
  EXPECT_EQ(tool.input, (json{{"location", "Berlin, DE"}, {"unit", "celsius"}}));
  EXPECT_EQ(r->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r->usage.input_tokens, 472);
  EXPECT_EQ(r->usage.output_tokens, 91);
}

TEST(AnthropicCodec, ParsesTextResponse) {
  auto r = parse_messages_response(read_fixture("anthropic/response_text.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(response_text(*r), "Hi! My name is Claude.");
  EXPECT_EQ(r->stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(r->usage.output_tokens, 503);
}

TEST(AnthropicCodec, MalformedResponseIsUpstreamError) {
  for (const char* body : {"", "null", "{\"content\": 5}", "{\"content\": [{\"type\": 7}]}"}) {
    auto r = parse_messages_response(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.code(), ErrorCode::kUpstreamError) << body;
  }
}

TEST(AnthropicStreamParser, AssemblesTextAndToolUseFromRecordedStream) {
  AnthropicStreamParser parser;
  StreamAccumulator acc;
  for (const auto& sse : testing::split_sse(read_fixture("anthropic/stream_tool_use.sse"))) {
    auto events = parser.feed(sse.event, sse.data);
    ASSERT_TRUE(events.ok()) << sse.data;
    for (const auto& e : *events) acc.add(e);
  }
  EXPECT_TRUE(parser.done());
  const ChatResponse r = acc.response();
  EXPECT_EQ(r.id, "msg_014p7gG3wDgGV9EUtLvnow3U");
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(std::get<TextBlock>(r.content[0]).text,
            "Okay, let's check the weather for San Francisco, CA:");
  const auto& tool = std::get<ToolUseBlock>(r.content[1]);
  EXPECT_EQ(tool.id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  EXPECT_EQ(tool.name, "get_weather");
  EXPECT_EQ(tool.input, (json{{"location", "San Francisco, CA"}, {"unit", "fahrenheit"}}));
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r.usage.input_tokens, 472);
  EXPECT_EQ(r.usage.output_tokens, 89);
}

TEST(AnthropicStreamParser, ErrorEventIsRetryableOverload) {
  AnthropicStreamParser parser;
  auto events = testing::split_sse(read_fixture("anthropic/stream_overloaded.sse"));
  ASSERT_EQ(events.size(), 2u);
  ASSERT_TRUE(parser.feed(events[0].event, events[0].data).ok());
  auto err = parser.feed(events[1].event, events[1].data);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.code(), ErrorCode::kUpstreamError);
  ASSERT_TRUE(parser.last_error().has_value());
  EXPECT_TRUE(parser.last_error()->retryable);
  EXPECT_NE(parser.last_error()->message.find("overloaded_error"), std::string::npos);
}

TEST(AnthropicStreamParser, GarbageIsAnErrorNotACrash) {
  AnthropicStreamParser parser;
  EXPECT_FALSE(parser.feed("content_block_delta", "{\"index\": ").ok());
  AnthropicStreamParser typed;
  EXPECT_FALSE(typed.feed("", R"({"type":"content_block_delta","index":"x"})").ok());
}

struct ErrorCase {
  int status;
  const char* fixture;
  ErrorCode code;
  bool retryable;
  const char* message_part;
};

class AnthropicErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(AnthropicErrors, MapToStableCodes) {
  const auto& c = GetParam();
  // A fixture starting with '=' is the literal body itself.
  const std::string body =
      c.fixture[0] == '=' ? std::string(c.fixture + 1) : read_fixture(c.fixture);
  UpstreamError e = parse_error(c.status, body);
  EXPECT_EQ(e.code, c.code);
  EXPECT_EQ(e.retryable, c.retryable);
  EXPECT_NE(e.message.find(c.message_part), std::string::npos) << e.message;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, AnthropicErrors,
    ::testing::Values(ErrorCase{400, "anthropic/error_400.json", ErrorCode::kInvalidRequest, false,
                                "invalid_request_error: messages: roles must alternate"},
                      ErrorCase{401, "anthropic/error_401.json", ErrorCode::kUpstreamError, false,
                                "authentication_error: invalid x-api-key"},
                      ErrorCase{429, "anthropic/error_429.json", ErrorCode::kUpstreamRateLimited,
                                true, "rate_limit_error"},
                      ErrorCase{500, "anthropic/error_500.json", ErrorCode::kUpstreamError, true,
                                "api_error"},
                      ErrorCase{529, "anthropic/error_529.json", ErrorCode::kUpstreamError, true,
                                "overloaded_error: Overloaded"},
                      ErrorCase{503, "=<html>upstream connect error</html>",
                                ErrorCode::kUpstreamError, true, "unrecognized body"}));

TEST(AnthropicErrors, RateLimitHonoursRetryAfter) {
  UpstreamError e = parse_error(429, read_fixture("anthropic/error_429.json"), {"7", ""});
  EXPECT_EQ(e.retry_after, std::chrono::milliseconds(7000));
}

TEST(AnthropicErrors, ErrorTypesHaveDocumentedStatuses) {
  EXPECT_EQ(status_for_error_type("rate_limit_error"), 429);
  EXPECT_EQ(status_for_error_type("overloaded_error"), 529);
  EXPECT_EQ(status_for_error_type("authentication_error"), 401);
  EXPECT_EQ(status_for_error_type("permission_error"), 403);
  EXPECT_EQ(status_for_error_type("not_found_error"), 404);
  EXPECT_EQ(status_for_error_type("request_too_large"), 413);
  EXPECT_EQ(status_for_error_type("api_error"), 500);
}

}  // namespace
}  // namespace osprey::providers::anthropic
