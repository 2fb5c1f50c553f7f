#include "providers/ollama/ollama_codec.h"

#include <gtest/gtest.h>

#include "providers/ollama/ollama_stream_parser.h"
#include "providers/openai/openai_request_parser.h"
#include "providers/stream_accumulator.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::ollama {
namespace {

using nlohmann::json;
using testing::read_fixture;
using testing::read_json_fixture;

ChatRequest golden_request_without_url_image() {
  json body = read_json_fixture("openai/client_request_tools.json");
  body["messages"][2]["content"].erase(2);  // Ollama takes inline images only
  auto req = openai::parse_chat_request(body);
  EXPECT_TRUE(req.ok());
  return std::move(req).value();
}

TEST(OllamaCodec, BuildsChatBodyFromGoldenRequest) {
  ChatRequest req = golden_request_without_url_image();
  req.provider_options = {
      {"num_ctx", 8192}, {"repeat_penalty", 1.1}, {"top_k", 40}, {"keep_alive", "5m"}};
  auto body = build_chat_request(req);
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ((*body)["model"], "gpt-4o-mini");
  EXPECT_EQ((*body)["stream"], true);
  EXPECT_EQ((*body)["keep_alive"], "5m");
  const json& options = (*body)["options"];
  ASSERT_TRUE(options.contains("temperature"));
  EXPECT_EQ(options["temperature"], 0);
  EXPECT_EQ(options["top_p"], 1.0);
  EXPECT_EQ(options["num_predict"], 256);
  EXPECT_EQ(options["seed"], 42);
  EXPECT_EQ(options["stop"], json::array({"\n\nHuman:"}));
  EXPECT_EQ(options["num_ctx"], 8192);
  EXPECT_EQ(options["repeat_penalty"], 1.1);
  EXPECT_EQ(options["top_k"], 40);
  EXPECT_EQ((*body)["tools"][0]["function"]["name"], "get_current_weather");
  EXPECT_EQ((*body)["tools"][0]["function"]["parameters"]["required"], json::array({"location"}));

  const json& msgs = (*body)["messages"];
  ASSERT_EQ(msgs.size(), 8u);
  EXPECT_EQ(msgs[0]["role"], "system");
  EXPECT_EQ(msgs[1]["role"], "system");
  EXPECT_EQ(msgs[2]["role"], "user");
  EXPECT_EQ(msgs[2]["images"], json::array({"iVBORw0KGgo="}));
  EXPECT_EQ(msgs[3]["role"], "assistant");
  EXPECT_EQ(msgs[3]["tool_calls"][0],
            (json{{"function",
                   {{"name", "get_current_weather"},
                    {"arguments", {{"location", "Paris, FR"}, {"unit", "celsius"}}}}}}));
  EXPECT_EQ(msgs[4], (json{{"role", "tool"},
                           {"content", "{\"temperature\": 18, \"conditions\": \"cloudy\"}"},
                           {"tool_name", "get_current_weather"}}));
  EXPECT_EQ(msgs[5]["role"], "tool");
  EXPECT_EQ(msgs[7], (json{{"role", "user"}, {"content", "Thanks. And Berlin?"}}));
}

TEST(OllamaCodec, ExplicitMaxTokensWinsOverProviderNumPredict) {
  ChatRequest req;
  req.model = "llama3.2";
  req.messages.push_back(Message{Role::kUser, {TextBlock{"hi"}}});
  req.provider_options = {{"num_predict", 10}};
  req.inference.max_tokens = 99;
  auto body = build_chat_request(req);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["options"]["num_predict"], 99);
  req.inference.max_tokens.reset();
  EXPECT_EQ((*build_chat_request(req))["options"]["num_predict"], 10);
}

TEST(OllamaCodec, ResponseFormatMapsToFormat) {
  ChatRequest req;
  req.model = "llama3.2";
  req.messages.push_back(Message{Role::kUser, {TextBlock{"hi"}}});
  req.response_format = ResponseFormat{ResponseFormat::Kind::kJsonObject, "", nullptr, false};
  EXPECT_EQ((*build_chat_request(req))["format"], "json");
  const json schema = {{"type", "object"}, {"properties", {{"age", {{"type", "integer"}}}}}};
  req.response_format = ResponseFormat{ResponseFormat::Kind::kJsonSchema, "p", schema, true};
  EXPECT_EQ((*build_chat_request(req))["format"], schema);
}

TEST(OllamaCodec, ToolChoiceNoneOmitsTools) {
  ChatRequest req = golden_request_without_url_image();
  req.tool_choice = ToolChoice{ToolChoice::Kind::kNone, ""};
  EXPECT_FALSE(build_chat_request(req)->contains("tools"));
}

TEST(OllamaCodec, RejectsImageUrls) {
  auto req = openai::parse_chat_request(read_json_fixture("openai/client_request_tools.json"));
  ASSERT_TRUE(req.ok());
  auto body = build_chat_request(*req);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(body.error().message,
            "messages[0].content[2]: ollama accepts only inline (base64) images, not URLs");
}

TEST(OllamaCodec, ParsesTextResponse) {
  auto r = parse_chat_response(read_fixture("ollama/response_text.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(response_text(*r), "Hello! How are you today?");
  EXPECT_EQ(r->model, "llama3.2");
  EXPECT_EQ(r->created, 1702390423);
  EXPECT_EQ(r->stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(r->usage.input_tokens, 26);
  EXPECT_EQ(r->usage.output_tokens, 298);
}

TEST(OllamaCodec, ParsesToolCallResponseWithNames) {
  auto r = parse_chat_response(read_fixture("ollama/response_tool_calls.json"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->content.size(), 1u);
  const auto& tool = std::get<ToolUseBlock>(r->content[0]);
  EXPECT_EQ(tool.name, "get_current_weather");
  EXPECT_EQ(tool.id, "call_0");
  EXPECT_EQ(tool.input, (json{{"format", "celsius"}, {"location", "Paris, FR"}}));
  EXPECT_EQ(r->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r->usage.input_tokens, 122);
  EXPECT_EQ(r->usage.output_tokens, 33);
}

TEST(OllamaCodec, MalformedResponseIsUpstreamError) {
  for (const char* body : {"", "[]", "{\"model\": \"x\"}", "{\"message\": {\"content\": 3}}"}) {
    auto r = parse_chat_response(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.code(), ErrorCode::kUpstreamError) << body;
  }
}

TEST(OllamaCodec, ParsesTags) {
  auto names = parse_tags(read_fixture("ollama/tags.json"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"deepseek-r1:latest", "llama3.2:latest"}));
  EXPECT_FALSE(parse_tags("{\"models\": 1}").ok());
}

std::vector<StreamEvent> feed_lines(OllamaStreamParser& parser, const std::string& fixture) {
  std::vector<StreamEvent> events;
  for (const auto& line : testing::split_lines(read_fixture(fixture))) {
    auto out = parser.feed(line);
    EXPECT_TRUE(out.ok()) << line;
    if (out.ok()) events.insert(events.end(), out->begin(), out->end());
  }
  return events;
}

TEST(OllamaStreamParser, AssemblesTextStreamWithUsage) {
  OllamaStreamParser parser;
  StreamAccumulator acc;
  for (const auto& e : feed_lines(parser, "ollama/stream_text.ndjson")) acc.add(e);
  EXPECT_TRUE(parser.done());
  const ChatResponse r = acc.response();
  EXPECT_EQ(r.model, "llama3.2");
  EXPECT_EQ(response_text(r), "The sky is blue.");
  EXPECT_EQ(r.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(r.usage.input_tokens, 26);
  EXPECT_EQ(r.usage.output_tokens, 282);
}

TEST(OllamaStreamParser, AssemblesToolCallsGivenAsObjectOrString) {
  OllamaStreamParser parser;
  StreamAccumulator acc;
  for (const auto& e : feed_lines(parser, "ollama/stream_tool_calls.ndjson")) acc.add(e);
  const ChatResponse r = acc.response();
  ASSERT_EQ(r.content.size(), 2u);
  const auto& first = std::get<ToolUseBlock>(r.content[0]);
  EXPECT_EQ(first.name, "get_temperature");
  EXPECT_EQ(first.input, (json{{"city", "New York"}}));
  const auto& second = std::get<ToolUseBlock>(r.content[1]);
  EXPECT_EQ(second.name, "get_conditions");
  EXPECT_EQ(second.input, (json{{"city", "New York"}}));
  EXPECT_NE(first.id, second.id);
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r.usage.output_tokens, 40);
}

TEST(OllamaStreamParser, ErrorLineAndGarbageAreErrors) {
  OllamaStreamParser parser;
  auto err = parser.feed(R"({"error":"an error was encountered while running the model"})");
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.code(), ErrorCode::kUpstreamError);
  EXPECT_NE(parser.last_error()->message.find("while running the model"), std::string::npos);
  OllamaStreamParser garbage;
  EXPECT_FALSE(garbage.feed("{\"message\":").ok());
  EXPECT_TRUE(garbage.feed("").ok());
}

struct ErrorCase {
  int status;
  const char* fixture;
  ErrorCode code;
  bool retryable;
  const char* message_part;
};

class OllamaErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(OllamaErrors, MapToStableCodes) {
  const auto& c = GetParam();
  // A fixture starting with '=' is the literal body itself.
  const std::string body =
      c.fixture[0] == '=' ? std::string(c.fixture + 1) : read_fixture(c.fixture);
  UpstreamError e = parse_error(c.status, body, {"3", ""});
  EXPECT_EQ(e.code, c.code);
  EXPECT_EQ(e.retryable, c.retryable);
  EXPECT_NE(e.message.find(c.message_part), std::string::npos) << e.message;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, OllamaErrors,
    ::testing::Values(ErrorCase{404, "ollama/error_404.json", ErrorCode::kUpstreamError, false,
                                "model \"llama9\" not found"},
                      ErrorCase{500, "ollama/error_500.json", ErrorCode::kUpstreamError, true,
                                "llama runner process has terminated"},
                      ErrorCase{400, "={\"error\": 5}", ErrorCode::kInvalidRequest, false,
                                "unrecognized body"},
                      ErrorCase{429, "=too many requests", ErrorCode::kUpstreamRateLimited, true,
                                "too many requests"}));

}  // namespace
}  // namespace osprey::providers::ollama
