#include "providers/openai/openai_response_writer.h"

#include <gtest/gtest.h>

#include "providers/openai/openai_chunk_writer.h"

namespace osprey::providers::openai {
namespace {

using nlohmann::json;

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
  std::vector<json> chunks;
  auto add = [&](const StreamEvent& e) {
    for (auto& c : writer.write(e)) chunks.push_back(std::move(c));
  };
  add(MessageStartEvent{"msg_up", "upstream-model"});
  add(TextDeltaEvent{0, "Hi"});
  // Upstream content indexes 1 and 3 become OpenAI tool_calls indexes 0 and 1.
  add(ToolUseStartEvent{1, "toolu_a", "lookup"});
  add(ToolUseDeltaEvent{1, "{\"q\":"});
  add(ToolUseDeltaEvent{1, "1}"});
  add(ToolUseStartEvent{3, "toolu_b", "other"});
  add(ToolUseDeltaEvent{3, "{}"});
  add(UsageEvent{7, 0});
  add(UsageEvent{0, 9});
  add(MessageStopEvent{StopReason::kToolUse});
  auto usage = writer.finish();

  ASSERT_EQ(chunks.size(), 8u);
  for (const auto& c : chunks) {
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["id"], "chatcmpl-x");
    EXPECT_EQ(c["model"], "upstream-model");  // filled from the upstream when not given
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

  ASSERT_TRUE(usage.has_value());
  EXPECT_TRUE((*usage)["choices"].empty());
  EXPECT_EQ((*usage)["usage"]["prompt_tokens"], 7);
  EXPECT_EQ((*usage)["usage"]["completion_tokens"], 9);
  EXPECT_EQ((*usage)["usage"]["total_tokens"], 16);
}

TEST(OpenAiChunkWriter, NoUsageChunkUnlessRequested) {
  OpenAiChunkWriter writer("id", "m", 1, /*include_usage=*/false);
  auto chunks = writer.write(TextDeltaEvent{0, "x"});
  ASSERT_EQ(chunks.size(), 2u);  // the role chunk opens the stream even without a start event
  EXPECT_FALSE(writer.finish().has_value());
}

}  // namespace
}  // namespace osprey::providers::openai
