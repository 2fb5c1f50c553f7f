#include "providers/openai/openai_request_parser.h"

#include <gtest/gtest.h>

#include "providers/anthropic/anthropic_codec.h"
#include "providers/bedrock/converse_codec.h"
#include "providers/ollama/ollama_codec.h"
#include "providers/openai/openai_upstream_codec.h"
#include "support/json_mutator.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::openai {
namespace {

using nlohmann::json;
using testing::read_json_fixture;

TEST(OpenAiRequestParser, ParsesGoldenMultiTurnToolRequest) {
  auto req = parse_chat_request(read_json_fixture("openai/client_request_tools.json"));
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ(req->model, "gpt-4o-mini");
  ASSERT_EQ(req->system.size(), 2u);
  EXPECT_EQ(req->system[0], "You are a weather assistant.");
  EXPECT_EQ(req->system[1], "Answer in one sentence.");

  ASSERT_EQ(req->messages.size(), 6u);
  const Message& user = req->messages[0];
  EXPECT_EQ(user.role, Role::kUser);
  ASSERT_EQ(user.content.size(), 3u);
  const auto& inline_image = std::get<ImageBlock>(user.content[1]);
  EXPECT_EQ(inline_image.media_type, "image/png");
  EXPECT_EQ(inline_image.data, std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_TRUE(inline_image.url.empty());
  EXPECT_EQ(std::get<ImageBlock>(user.content[2]).url, "https://example.com/sky.jpg");

  const Message& assistant = req->messages[1];
  EXPECT_EQ(assistant.role, Role::kAssistant);
  ASSERT_EQ(assistant.content.size(), 2u);
  const auto& paris = std::get<ToolUseBlock>(assistant.content[0]);
  EXPECT_EQ(paris.id, "call_paris");
  EXPECT_EQ(paris.name, "get_current_weather");
  EXPECT_EQ(paris.input, (json{{"location", "Paris, FR"}, {"unit", "celsius"}}));
  // Broken arguments are kept verbatim as a string.
  const auto& boston = std::get<ToolUseBlock>(assistant.content[1]);
  EXPECT_EQ(boston.input, json("{\"location\": \"Boston, MA\""));

  const auto& result = std::get<ToolResultBlock>(req->messages[2].content[0]);
  EXPECT_EQ(req->messages[2].role, Role::kUser);
  EXPECT_EQ(result.tool_use_id, "call_paris");
  ASSERT_EQ(result.content.size(), 1u);
  EXPECT_EQ(result.content[0].text, "{\"temperature\": 18, \"conditions\": \"cloudy\"}");
  EXPECT_EQ(std::get<ToolResultBlock>(req->messages[3].content[0]).content[0].text,
            "error: location not found");

  ASSERT_EQ(req->tools.size(), 1u);
  EXPECT_EQ(req->tools[0].name, "get_current_weather");
  EXPECT_EQ(req->tools[0].input_schema["required"], json::array({"location"}));
  ASSERT_TRUE(req->tool_choice.has_value());
  EXPECT_EQ(req->tool_choice->kind, ToolChoice::Kind::kTool);
  EXPECT_EQ(req->tool_choice->name, "get_current_weather");

  ASSERT_TRUE(req->inference.temperature.has_value());
  EXPECT_EQ(*req->inference.temperature, 0.0);
  EXPECT_EQ(req->inference.top_p, 1.0);
  EXPECT_EQ(req->inference.max_tokens, 256);
  EXPECT_EQ(req->inference.stop, std::vector<std::string>{"\n\nHuman:"});
  EXPECT_EQ(req->inference.seed, 42);
  EXPECT_EQ(req->user, "user-1234");
  EXPECT_TRUE(req->stream);
  EXPECT_TRUE(req->include_usage);
  // Unknown fields survive for OpenAI-compatible upstreams; explicit nulls are dropped.
  EXPECT_EQ(req->extra["frequency_penalty"], 0.5);
  EXPECT_EQ(req->extra["logit_bias"]["50256"], -100);
  EXPECT_FALSE(req->extra.contains("n"));
}

TEST(OpenAiRequestParser, UnsetTemperatureStaysUnset) {
  auto req = parse_chat_request(
      json{{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}});
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(req->inference.temperature.has_value());
  EXPECT_FALSE(req->tool_choice.has_value());
}

TEST(OpenAiRequestParser, ParsesResponseFormats) {
  json body = {{"model", "m"},
               {"messages", {{{"role", "user"}, {"content", "hi"}}}},
               {"response_format",
                {{"type", "json_schema"},
                 {"json_schema",
                  {{"name", "answer"}, {"strict", true}, {"schema", {{"type", "object"}}}}}}}};
  auto req = parse_chat_request(body);
  ASSERT_TRUE(req.ok()) << req.error().message;
  ASSERT_TRUE(req->response_format.has_value());
  EXPECT_EQ(req->response_format->kind, ResponseFormat::Kind::kJsonSchema);
  EXPECT_EQ(req->response_format->name, "answer");
  EXPECT_TRUE(req->response_format->strict);
  EXPECT_EQ(req->response_format->schema, (json{{"type", "object"}}));

  body["response_format"] = {{"type", "json_object"}};
  auto obj = parse_chat_request(body);
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(obj->response_format->kind, ResponseFormat::Kind::kJsonObject);
}

TEST(OpenAiRequestParser, StopAcceptsArrayAndToolChoiceStrings) {
  auto req =
      parse_chat_request(json{{"model", "m"},
                              {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                              {"stop", {"a", "b"}},
                              {"tool_choice", "required"},
                              {"tools", {{{"type", "function"}, {"function", {{"name", "f"}}}}}},
                              {"max_tokens", 7}});
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->inference.stop, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(req->tool_choice->kind, ToolChoice::Kind::kRequired);
  EXPECT_EQ(req->inference.max_tokens, 7);
}

struct BadCase {
  const char* name;
  json body;
  const char* expected_message;
};

class OpenAiRequestParserErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(OpenAiRequestParserErrors, NamesTheField) {
  auto req = parse_chat_request(GetParam().body);
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(req.error().message, GetParam().expected_message);
}

json with_messages(json messages) { return {{"model", "m"}, {"messages", std::move(messages)}}; }

INSTANTIATE_TEST_SUITE_P(
    Fields, OpenAiRequestParserErrors,
    ::testing::Values(
        BadCase{"NotObject", json::array(), "body: expected a JSON object"},
        BadCase{"NoModel", json{{"messages", json::array()}}, "body.model: is required"},
        BadCase{"ModelNotString", json{{"model", 3}, {"messages", json::array()}},
                "model: expected string"},
        BadCase{"EmptyMessages", with_messages(json::array()), "messages: must not be empty"},
        BadCase{"ContentNumber",
                with_messages({{{"role", "user"}, {"content", "a"}},
                               {{"role", "assistant"}, {"content", "b"}},
                               {{"role", "user"}, {"content", 5}}}),
                "messages[2].content: expected string or array"},
        BadCase{"UnknownRole", with_messages({{{"role", "robot"}, {"content", "a"}}}),
                "messages[0].role: expected one of system, developer, user, assistant, tool; "
                "got \"robot\""},
        BadCase{"ToolWithoutId", with_messages({{{"role", "tool"}, {"content", "a"}}}),
                "messages[0].tool_call_id: is required"},
        BadCase{"BadPartType",
                with_messages({{{"role", "user"},
                                {"content", {{{"type", "input_audio"}, {"input_audio", "x"}}}}}}),
                "messages[0].content[0].type: unsupported content part type \"input_audio\""},
        BadCase{"BadDataUrl",
                with_messages({{{"role", "user"},
                                {"content",
                                 {{{"type", "image_url"},
                                   {"image_url", {{"url", "data:image/png;base64,@@@@"}}}}}}}}),
                "messages[0].content[0].image_url.url: invalid base64 data"},
        BadCase{"ToolCallNoName",
                with_messages(
                    {{{"role", "assistant"},
                      {"tool_calls",
                       {{{"id", "c"}, {"type", "function"}, {"function", json::object()}}}}}}),
                "messages[0].tool_calls[0].function.name: is required"},
        BadCase{"EmptyUserParts",
                with_messages({{{"role", "system"}, {"content", "s"}},
                               {{"role", "user"}, {"content", json::array()}}}),
                "messages[1].content: must not be empty"},
        BadCase{"EmptySystemParts",
                with_messages({{{"role", "system"}, {"content", json::array()}}}),
                "messages[0].content: must not be empty"},
        BadCase{"EmptyAssistant", with_messages({{{"role", "assistant"}, {"content", nullptr}}}),
                "messages[0].content: assistant message needs content or tool_calls"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(OpenAiRequestParser, RejectsBadTopLevelTypes) {
  json base = with_messages({{{"role", "user"}, {"content", "hi"}}});
  auto check = [&](const char* key, json value, const std::string& message) {
    json body = base;
    body[key] = std::move(value);
    auto req = parse_chat_request(body);
    ASSERT_FALSE(req.ok()) << key;
    EXPECT_EQ(req.error().message, message);
  };
  check("temperature", "hot", "temperature: expected number");
  check("max_tokens", 1.5, "max_tokens: expected integer");
  check("max_completion_tokens", 0, "max_completion_tokens: must be at least 1");
  check("stop", 3, "stop: expected string or array");
  check("stream", "yes", "stream: expected boolean");
  check("tool_choice", "sometimes",
        "tool_choice: expected \"auto\", \"none\", \"required\" or an object");
  check("tool_choice", "required", "tool_choice: \"required\" needs at least one tool in tools");
  check("tool_choice", {{"type", "function"}, {"function", {{"name", "f"}}}},
        "tool_choice.function.name: names no function in tools (got \"f\")");
  check("provider_options", {{"top_k", 5}, {"n", 1000}},
        "provider_options.n: is a standard request field; set it at the top level");
  check("provider_options", {{"temperature", 9}},
        "provider_options.temperature: is a standard request field; set it at the top level");
  check("tools", json::array({{{"type", "function"}, {"function", {{"name", 1}}}}}),
        "tools[0].function.name: expected string");
  check("response_format", {{"type", "yaml"}},
        "response_format.type: expected \"text\", \"json_object\" or \"json_schema\"");
}

TEST(OpenAiRequestParser, InvalidJsonBytesAreInvalidRequest) {
  auto req = parse_chat_request_text("{\"model\": ");
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(req.error().message, "body: not valid JSON");
}

// Any client body of the wrong shape (a value of another type, a number out of range, a field
// missing or repeated) is an invalid_request error, never an exception; and whatever is accepted
// can be written for every vendor.
TEST(ChatRequestParserTest, EveryWrongShapeIsAnErrorAndEveryAcceptedRequestCanBeSent) {
  const json seed = read_json_fixture("openai/client_request_tools.json");
  int accepted = 0;
  osprey::testing::for_each_json_mutation(seed, 11, 3000, [&](const json& body) {
    Result<ChatRequest> parsed = Error{ErrorCode::kInternal, "not parsed"};
    EXPECT_NO_THROW(parsed = parse_chat_request(body)) << body.dump();
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidRequest) << body.dump();
      return;
    }
    ++accepted;
    const ChatRequest& r = *parsed;
    EXPECT_NO_THROW((void)write_chat_request(r, "m", r.stream, r.extra)) << body.dump();
    EXPECT_NO_THROW((void)anthropic::build_messages_request(r)) << body.dump();
    EXPECT_NO_THROW((void)ollama::build_chat_request(r)) << body.dump();
    EXPECT_NO_THROW((void)bedrock::build_converse_request(r)) << body.dump();
  });
  EXPECT_GT(accepted, 300);
}

}  // namespace
}  // namespace osprey::providers::openai
