// The `batch` workload's codec for the native batch driver: mode from spec.mode, an item's body
// as the chat request (the same function sync mode's run() uses), answers as sync mode's output
// line and vendor failures as the item's dead letter.
#include "batch/batch_native_codec.h"

#include <gtest/gtest.h>

namespace osprey::batch {
namespace {

using nlohmann::json;

json item_input() {
  return {{"line", 1},
          {"key_id", 7},
          {"body", {{"model", "gpt"}, {"messages", {{{"role", "user"}, {"content", "hello"}}}}}}};
}

TEST(BatchNativeCodec, ModeIsAutoOnlyWhenTheSpecSaysSo) {
  const BatchNativeCodec codec;
  EXPECT_EQ(codec.mode({{"mode", "auto"}}), NativeMode::kAuto);
  EXPECT_EQ(codec.mode({{"mode", "native"}}), NativeMode::kNative);
  EXPECT_EQ(codec.model({{"model", "gpt"}}), "");  // the job's resource
}

TEST(BatchNativeCodec, AnItemsRequestIsItsBody) {
  const BatchNativeCodec codec;
  auto request = codec.request(item_input());
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->model, "gpt");
  ASSERT_EQ(request->messages.size(), 1u);

  auto missing = codec.request(json{{"line", 1}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(missing.error().message.find("no request body"), std::string::npos);
  auto not_object = batch_item_request(json("not an object"));
  ASSERT_FALSE(not_object.ok());
  EXPECT_EQ(not_object.error().code, ErrorCode::kInvalidRequest);
}

TEST(BatchNativeCodec, AnswersAreSyncModesOutputLineAndFailuresDeadLetters) {
  const BatchNativeCodec codec;
  providers::ChatResponse response;
  response.id = "chatcmpl-native";
  response.model = "upstream";
  response.content.push_back(providers::TextBlock{"hi there"});
  response.stop_reason = providers::StopReason::kEndTurn;
  const jobs::ItemResult ok = codec.answered(42, "req-1", item_input(), response);
  EXPECT_EQ(ok.outcome, jobs::Outcome::kSuccess);
  EXPECT_EQ(ok.output["id"], "batch_req_42");
  EXPECT_EQ(ok.output["custom_id"], "req-1");
  EXPECT_EQ(ok.output["response"]["status_code"], 200);
  EXPECT_EQ(ok.output["response"]["request_id"], "chatcmpl-native");
  EXPECT_EQ(ok.output["response"]["body"]["choices"][0]["message"]["content"], "hi there");
  EXPECT_TRUE(ok.output["error"].is_null());

  RecordOutcome failed;
  failed.record_id = "req-2";
  failed.kind = RecordOutcome::Kind::kErrored;
  failed.error_code = "invalid_request_error";
  failed.error_message = "max_tokens: Field required";
  const jobs::ItemResult bad = codec.errored(43, "req-2", item_input(), failed);
  EXPECT_EQ(bad.outcome, jobs::Outcome::kPermanent);
  EXPECT_EQ(bad.error_code, "invalid_request_error");
  EXPECT_EQ(bad.error_message, "max_tokens: Field required");
}

}  // namespace
}  // namespace osprey::batch
