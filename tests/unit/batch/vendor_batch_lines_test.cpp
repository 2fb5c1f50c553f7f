// The vendors' batch result lines → record outcomes (OpenAI output/error files, Anthropic
// results JSONL), as their docs show them.
#include <gtest/gtest.h>

#include "batch/anthropic/anthropic_batch_adapter.h"
#include "batch/openai/openai_batch_adapter.h"

namespace osprey::batch {
namespace {

TEST(OpenAiBatchLine, AnsweredRequestKeepsTextToolCallsAndUsage) {
  auto o = parse_openai_batch_line(
      R"({"id":"batch_req_1","custom_id":"req-1","response":{"status_code":200,"request_id":"r1",)"
      R"("body":{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[)"
      R"({"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":1}"}}]},)"
      R"("finish_reason":"tool_calls"}],"usage":{"prompt_tokens":7,"completion_tokens":3,)"
      R"("total_tokens":10}}},"error":null})");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->record_id, "req-1");
  EXPECT_EQ(o->kind, RecordOutcome::Kind::kSucceeded);
  ASSERT_EQ(o->response.content.size(), 1u);
  const auto& call = std::get<providers::ToolUseBlock>(o->response.content[0]);
  EXPECT_EQ(call.name, "lookup");
  EXPECT_EQ(call.input, (nlohmann::json{{"q", 1}}));
  EXPECT_EQ(o->response.stop_reason, providers::StopReason::kToolUse);
  EXPECT_EQ(o->response.usage.input_tokens, 7);
  EXPECT_EQ(o->response.usage.output_tokens, 3);
}

TEST(OpenAiBatchLine, ErrorsAndRequestsThatNeverRan) {
  auto failed = parse_openai_batch_line(
      R"({"id":"b","custom_id":"req-2","response":{"status_code":400,"request_id":"r2","body":)"
      R"({"error":{"message":"bad model","type":"invalid_request_error","param":null,)"
      R"("code":"model_not_found"}}},"error":null})");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->kind, RecordOutcome::Kind::kErrored);
  EXPECT_EQ(failed->error_code, "model_not_found");
  EXPECT_EQ(failed->error_message, "bad model");
  EXPECT_EQ(failed->http_status, 400);

  auto expired = parse_openai_batch_line(
      R"({"id":"b","custom_id":"req-3","response":null,"error":{"code":"batch_expired",)"
      R"("message":"This request could not be executed before the completion window expired."}})");
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->kind, RecordOutcome::Kind::kNotRun);
  EXPECT_EQ(expired->error_code, "batch_expired");

  EXPECT_FALSE(parse_openai_batch_line(R"({"response":{}})").ok());
  EXPECT_FALSE(parse_openai_batch_line("not json").ok());
}

TEST(AnthropicBatchLine, SucceededErroredCanceledExpired) {
  auto ok = parse_anthropic_batch_line(
      R"({"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg_1","type":"message",)"
      R"("role":"assistant","model":"claude","content":[{"type":"text","text":"hi"},{"type":)"
      R"("tool_use","id":"tu_1","name":"report","input":{"x":true}}],"stop_reason":"tool_use",)"
      R"("stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":2}}}})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->kind, RecordOutcome::Kind::kSucceeded);
  EXPECT_EQ(providers::response_text(ok->response), "hi");
  EXPECT_EQ(std::get<providers::ToolUseBlock>(ok->response.content[1]).name, "report");
  EXPECT_EQ(ok->response.stop_reason, providers::StopReason::kToolUse);
  EXPECT_EQ(ok->response.usage.output_tokens, 2);

  auto errored = parse_anthropic_batch_line(
      R"({"custom_id":"b","result":{"type":"errored","error":{"type":"error","error":{"type":)"
      R"("invalid_request_error","message":"max_tokens: Field required"}}}})");
  ASSERT_TRUE(errored.ok());
  EXPECT_EQ(errored->kind, RecordOutcome::Kind::kErrored);
  EXPECT_EQ(errored->error_code, "invalid_request_error");
  EXPECT_EQ(errored->error_message, "max_tokens: Field required");
  EXPECT_EQ(errored->http_status, 400);

  for (const char* type : {"canceled", "expired"}) {
    auto not_run = parse_anthropic_batch_line(
        std::string(R"({"custom_id":"c","result":{"type":")") + type + R"("}})");
    ASSERT_TRUE(not_run.ok());
    EXPECT_EQ(not_run->kind, RecordOutcome::Kind::kNotRun) << type;
  }
  EXPECT_FALSE(parse_anthropic_batch_line(R"({"custom_id":"d","result":{"type":"odd"}})").ok());
}

}  // namespace
}  // namespace osprey::batch
