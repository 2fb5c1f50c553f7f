#include "providers/openai/openai_response_writer.h"

#include <gtest/gtest.h>

#include "providers/openai/openai_chunk_writer.h"

namespace osprey::providers::openai {
namespace {

using nlohmann::json;

void add_events(OpenAiChunkWriter& writer, std::vector<std::string>& out,
                const std::vector<StreamEvent>& events) {
  for (const StreamEvent& e : events) writer.write(e, out);
}

ChatResponse tool_response() {
  ChatResponse r;
  r.id = "chatcmpl-1";
  r.model = "claude-sonnet-4";
  r.created = 1700000000;
  r.content.emplace_back(TextBlock{"Checking."});
  r.content.emplace_back(ToolUseBlock{"toolu_1", "get_current_weather", {{"location", "Oslo"}}});
  r.stop_reason = StopReason::kToolUse;
  r.usage = {10, 5};
  return r;
}

TEST(OpenAiResponseWriter, RendersChatCompletionWithToolCalls) {
  const json out = render_chat_response(tool_response());
  EXPECT_EQ(out["object"], "chat.completion");
  EXPECT_EQ(out["id"], "chatcmpl-1");
  EXPECT_EQ(out["created"], 1700000000);
  const json& choice = out["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_EQ(choice["message"]["role"], "assistant");
  EXPECT_EQ(choice["message"]["content"], "Checking.");
  const json& call = choice["message"]["tool_calls"][0];
  EXPECT_EQ(call["id"], "toolu_1");
  EXPECT_EQ(call["type"], "function");
  EXPECT_EQ(call["function"]["name"], "get_current_weather");
  ASSERT_TRUE(call["function"]["arguments"].is_string());
  EXPECT_EQ(json::parse(call["function"]["arguments"].get<std::string>()),
            (json{{"location", "Oslo"}}));
  EXPECT_EQ(out["usage"],
            (json{{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}}));
}

TEST(OpenAiResponseWriter, ToolOnlyAnswerHasNullContent) {
  ChatResponse r = tool_response();
  r.content.erase(r.content.begin());
  EXPECT_TRUE(render_chat_response(r)["choices"][0]["message"]["content"].is_null());
}

TEST(OpenAiResponseWriter, MapsFinishReasons) {
  EXPECT_EQ(finish_reason(StopReason::kEndTurn), "stop");
  EXPECT_EQ(finish_reason(StopReason::kStopSequence), "stop");
  EXPECT_EQ(finish_reason(StopReason::kMaxTokens), "length");
  EXPECT_EQ(finish_reason(StopReason::kToolUse), "tool_calls");
  EXPECT_EQ(finish_reason(StopReason::kContentFilter), "content_filter");
  EXPECT_EQ(finish_reason(StopReason::kUnknown), "stop");
}

TEST(OpenAiChunkWriter, RendersStreamWithToolCallIndexesAndUsage) {
  OpenAiChunkWriter writer("chatcmpl-x", "", 1700000001, /*include_usage=*/true);
  std::vector<std::string> texts;
  add_events(writer, texts,
             {MessageStartEvent{"msg_up", "upstream-model"}, TextDeltaEvent{0, "Hi"},
              // Upstream content indexes 1 and 3 become OpenAI tool_calls indexes 0 and 1.
              ToolUseStartEvent{1, "toolu_a", "lookup"}, ToolUseDeltaEvent{1, "{\"q\":"},
              ToolUseDeltaEvent{1, "1}"}, ToolUseStartEvent{3, "toolu_b", "other"},
              ToolUseDeltaEvent{3, "{}"}, UsageEvent{7, 0}, UsageEvent{0, 9},
              MessageStopEvent{StopReason::kToolUse}});
  auto usage_text = writer.finish();
  std::vector<json> chunks;
  for (const auto& t : texts) chunks.push_back(json::parse(t));

  ASSERT_EQ(chunks.size(), 8u);
  for (const auto& c : chunks) {
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["id"], "chatcmpl-x");
    EXPECT_EQ(c["model"], "upstream-model");  // filled from the upstream when not given
    EXPECT_EQ(c["created"], 1700000001);
  }
  EXPECT_EQ(chunks[0]["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(chunks[1]["choices"][0]["delta"]["content"], "Hi");
  const json& start_a = chunks[2]["choices"][0]["delta"]["tool_calls"][0];
  EXPECT_EQ(start_a["index"], 0);
  EXPECT_EQ(start_a["id"], "toolu_a");
  EXPECT_EQ(start_a["function"]["name"], "lookup");
  EXPECT_EQ(chunks[3]["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"], "{\"q\":");
  EXPECT_EQ(chunks[5]["choices"][0]["delta"]["tool_calls"][0]["index"], 1);
  EXPECT_TRUE(chunks[5]["choices"][0]["finish_reason"].is_null());
  EXPECT_EQ(chunks[7]["choices"][0]["finish_reason"], "tool_calls");

  ASSERT_TRUE(usage_text.has_value());
  const json usage = json::parse(*usage_text);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["prompt_tokens"], 7);
  EXPECT_EQ(usage["usage"]["completion_tokens"], 9);
  EXPECT_EQ(usage["usage"]["total_tokens"], 16);
}

TEST(OpenAiChunkWriter, NoUsageChunkUnlessRequested) {
  OpenAiChunkWriter writer("id", "m", 1, /*include_usage=*/false);
  std::vector<std::string> chunks;
  writer.write(TextDeltaEvent{0, "x"}, chunks);
  ASSERT_EQ(chunks.size(), 2u);  // the role chunk opens the stream even without a start event
  EXPECT_FALSE(writer.finish().has_value());
}

// The chunk as the DOM writes it (nlohmann sorts an object's keys): the reference for the text.
json dom_chunk(const std::string& id, const std::string& model, std::int64_t created, json delta,
               json finish) {
  return {{"id", id},
          {"object", "chat.completion.chunk"},
          {"created", created},
          {"model", model},
          {"choices", json::array({{{"index", 0},
                                    {"delta", std::move(delta)},
                                    {"logprobs", nullptr},
                                    {"finish_reason", std::move(finish)}}})}};
}

TEST(OpenAiChunkWriter, TextIsWhatTheDomWrites) {
  const std::string text = "caf\xC3\xA9 \"q\"\n\\ \x01\x1f\x7f / \xF0\x9F\x98\x80";
  const std::string args = R"({"city":"Paris \"la\"","n":[1,2]})";
  OpenAiChunkWriter writer("chatcmpl-\xC3\xA9\"", "", -5, /*include_usage=*/true);
  std::vector<std::string> texts;
  add_events(writer, texts,
             {MessageStartEvent{"ignored", "m/\"x\""}, TextDeltaEvent{0, text},
              TextDeltaEvent{0, ""}, ToolUseStartEvent{4, "call\t1", "get_weather"},
              ToolUseDeltaEvent{4, args}, ToolUseDeltaEvent{9, "unknown index: dropped"},
              UsageEvent{12, 34}, MessageStopEvent{StopReason::kMaxTokens}});
  const std::string id = "chatcmpl-\xC3\xA9\"";
  const std::string model = "m/\"x\"";
  const std::vector<std::string> expected = {
      dom_chunk(id, model, -5, {{"role", "assistant"}, {"content", ""}}, nullptr).dump(),
      dom_chunk(id, model, -5, {{"content", text}}, nullptr).dump(),
      dom_chunk(id, model, -5,
                {{"tool_calls",
                  json::array({{{"index", 0},
                                {"id", "call\t1"},
                                {"type", "function"},
                                {"function", {{"name", "get_weather"}, {"arguments", ""}}}}})}},
                nullptr)
          .dump(),
      dom_chunk(
          id, model, -5,
          {{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", args}}}}})}},
          nullptr)
          .dump(),
      dom_chunk(id, model, -5, json::object(), "length").dump(),
  };
  EXPECT_EQ(texts, expected);
  const json usage = {
      {"id", id},
      {"object", "chat.completion.chunk"},
      {"created", -5},
      {"model", model},
      {"choices", json::array()},
      {"usage", {{"prompt_tokens", 12}, {"completion_tokens", 34}, {"total_tokens", 46}}}};
  EXPECT_EQ(writer.finish(), usage.dump());
}

TEST(OpenAiChunkWriter, TextThatIsNotUtf8IsReplacedNotThrown) {
  OpenAiChunkWriter writer("id", "m", 1, /*include_usage=*/false);
  std::vector<std::string> texts;
  add_events(writer, texts,
             {TextDeltaEvent{0,
                             "a\xC3"
                             "b"}});
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(json::parse(texts[1])["choices"][0]["delta"]["content"],
            "a\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace osprey::providers::openai
