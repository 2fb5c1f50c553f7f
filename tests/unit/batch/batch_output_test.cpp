// Output and error lines in OpenAI's batch shapes.
#include "batch/batch_output.h"

#include <gtest/gtest.h>

#include "batch/batch_mode.h"

namespace osprey::batch {
namespace {

TEST(BatchOutputTest, SuccessLineCarriesTheResponse) {
  const nlohmann::json line = success_line(7, "req-1", "rid", {{"object", "chat.completion"}});
  EXPECT_EQ(line["id"], "batch_req_7");
  EXPECT_EQ(line["custom_id"], "req-1");
  EXPECT_EQ(line["response"]["status_code"], 200);
  EXPECT_EQ(line["response"]["request_id"], "rid");
  EXPECT_EQ(line["response"]["body"]["object"], "chat.completion");
  EXPECT_TRUE(line["error"].is_null());
}

TEST(BatchOutputTest, FailedRequestGetsItsHttpStatusAndOpenAiErrorBody) {
  store::JobItem item;
  item.id = 9;
  item.key = "req-2";
  item.state = store::ItemState::kDead;
  item.last_error_code = "invalid_request";
  item.last_error = "messages: required";
  const nlohmann::json line = error_line(item);
  EXPECT_EQ(line["custom_id"], "req-2");
  EXPECT_EQ(line["response"]["status_code"], 400);
  EXPECT_EQ(line["response"]["body"]["error"]["type"], "invalid_request_error");
  EXPECT_EQ(line["response"]["body"]["error"]["code"], "invalid_request");
  EXPECT_EQ(line["response"]["body"]["error"]["message"], "messages: required");
  EXPECT_TRUE(line["error"].is_null());
}

TEST(BatchOutputTest, FailuresWithoutAnHttpAnswerUseTheErrorField) {
  store::JobItem expired;
  expired.key = "a";
  expired.state = store::ItemState::kDead;
  expired.last_error_code = "lease_expired";
  expired.last_error = "the worker died";
  nlohmann::json line = error_line(expired);
  EXPECT_TRUE(line["response"].is_null());
  EXPECT_EQ(line["error"]["code"], "lease_expired");

  store::JobItem cancelled;
  cancelled.key = "b";
  cancelled.state = store::ItemState::kCancelled;
  line = error_line(cancelled);
  EXPECT_TRUE(line["response"].is_null());
  EXPECT_EQ(line["error"]["code"], "batch_cancelled");
}

TEST(BatchOutputTest, IdsDeriveFromTheJob) {
  EXPECT_EQ(batch_id(17), "batch_17");
  EXPECT_EQ(output_file_id(17), "file-batch17-output");
  EXPECT_EQ(error_file_id(17), "file-batch17-errors");
}

TEST(BatchModeTest, ParsedInOnePlace) {
  EXPECT_EQ(batch_mode_of(nlohmann::json::object()).value(), BatchMode::kSync);
  EXPECT_EQ(batch_mode_of({{"mode", "auto"}}).value(), BatchMode::kAuto);
  EXPECT_EQ(batch_mode_of({{"mode", "native"}}).value(), BatchMode::kNative);
  EXPECT_EQ(batch_mode_of({{"mode", "fast"}}).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(batch_mode_of({{"mode", 1}}).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(batch_mode_name(BatchMode::kSync), "sync");
}

}  // namespace
}  // namespace osprey::batch
