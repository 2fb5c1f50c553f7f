#include "batch/bedrock/bedrock_batch_adapter.h"

#include <gtest/gtest.h>

#include <thread>

#include "fakes/bedrock_batch_fake.h"
#include "unit/providers/jsonl_lines.h"

namespace osprey::batch::bedrock {
namespace {

using nlohmann::json;
using providers::ChatRequest;
using providers::testing::jsonl_lines;

constexpr const char* kClaude = "anthropic.claude-3-haiku-20240307-v1:0";
constexpr const char* kNova = "us.amazon.nova-lite-v1:0";

AdapterContext context_for(const std::string& url, json extra = json::object()) {
  AdapterContext c;
  c.provider.adapter = "bedrock";
  c.provider.region = "us-east-1";
  c.provider.aws_access_key_id = "AKIDBATCHTEST";
  c.provider.aws_secret_access_key = "batch-secret";
  c.options = {{"bucket", "osprey-test"},
               {"role_arn", "arn:aws:iam::123456789012:role/BedrockBatch"},
               {"bedrock_endpoint", url},
               {"s3_endpoint", url}};
  c.options.update(extra);
  return c;
}

std::unique_ptr<BatchAdapter> make_adapter(const std::string& url, json extra = json::object()) {
  auto adapter = BedrockBatchAdapter::create(context_for(url, std::move(extra)));
  EXPECT_TRUE(adapter.ok()) << adapter.error().message;
  return adapter.ok() ? std::move(*adapter) : nullptr;
}

ChatRequest ask(const std::string& text, bool with_tool = false) {
  ChatRequest r;
  r.messages.push_back({providers::Role::kUser, {providers::TextBlock{text}}});
  r.inference.temperature = 0.0;
  if (with_tool) {
    r.tools.push_back({"report_findings", "Report",
                       json{{"type", "object"},
                            {"properties", {{"status", {{"type", "string"}}}}},
                            {"required", {"status"}}}});
    r.tool_choice = providers::ToolChoice{providers::ToolChoice::Kind::kTool, "report_findings"};
  }
  return r;
}

BatchSubmission submission(const std::string& upstream, std::vector<std::string> ids) {
  BatchSubmission s;
  s.model = "review-model";
  s.upstream_model = upstream;
  s.label = "osprey-job-7-part-0";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    s.records.push_back({ids[i], ask("file " + std::to_string(i), i == 0)});
  }
  return s;
}

BatchStatus poll_until_terminal(const BatchAdapter& adapter, const SubmittedBatch& batch) {
  for (int i = 0; i < 500; ++i) {
    auto status = adapter.poll(batch);
    EXPECT_TRUE(status.ok()) << status.error().message;
    if (!status.ok() || is_terminal(status->state)) return status.ok() ? *status : BatchStatus{};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "job never ended";
  return {};
}

TEST(BedrockBatchAdapter, SubmitUploadsRecordsAndCreatesASignedJob) {
  fakes::BedrockBatchFake fake({.access_key_id = "AKIDBATCHTEST"});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url());
  auto batch = adapter->submit(submission(kClaude, {"a", "b", "osprey-pad-000000"}));
  ASSERT_TRUE(batch.ok()) << batch.error().message;

  auto jobs = fake.jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(batch->id, jobs[0].job_arn);
  EXPECT_EQ(jobs[0].model_id, kClaude);
  EXPECT_TRUE(jobs[0].job_name.starts_with("osprey-job-7-part-0-"));
  EXPECT_TRUE(jobs[0].input_uri.starts_with("s3://osprey-test/osprey-batch/osprey-job-7-part-0-"));
  EXPECT_TRUE(jobs[0].input_uri.ends_with("/input.jsonl"));

  const std::string key = jobs[0].input_uri.substr(std::string("s3://osprey-test/").size());
  auto input = fake.object("osprey-test", key);
  ASSERT_TRUE(input.has_value());
  const auto lines = jsonl_lines(*input);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["recordId"], "REC00000000");
  EXPECT_EQ(lines[2]["recordId"], "REC00000002");
  EXPECT_EQ(lines[0]["modelInput"]["anthropic_version"], "bedrock-2023-05-31");
  EXPECT_EQ(lines[0]["modelInput"]["tool_choice"],
            (json{{"type", "tool"}, {"name", "report_findings"}}));
  ASSERT_TRUE(lines[1]["modelInput"].contains("temperature"));
  EXPECT_EQ(lines[1]["modelInput"]["temperature"], 0);
  EXPECT_EQ(batch->data["record_ids"], (json{"a", "b", "osprey-pad-000000"}));

  const auto requests = fake.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_NE(requests[0].header("Authorization").find("/us-east-1/s3/aws4_request"),
            std::string::npos);
  EXPECT_FALSE(requests[0].header("x-amz-content-sha256").empty());
  EXPECT_EQ(requests[1].path, "/model-invocation-job");
  EXPECT_NE(requests[1].header("Authorization").find("/us-east-1/bedrock/aws4_request"),
            std::string::npos);
}

TEST(BedrockBatchAdapter, CompletedJobImportsAnswersWithToolNamesAndPerRecordErrors) {
  fakes::BedrockBatchFake fake({.fail_record_ids = {"REC00000001"}});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url());
  auto batch = adapter->submit(submission(kClaude, {"first", "second", "third"}));
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  const BatchStatus status = poll_until_terminal(*adapter, *batch);
  EXPECT_EQ(status.state, BatchState::kCompleted);
  EXPECT_EQ(status.raw_state, "Completed");
  EXPECT_EQ(status.total, 3);
  EXPECT_EQ(status.succeeded, 2);
  EXPECT_EQ(status.failed, 1);

  auto outcomes = adapter->import_results(*batch);
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 3u);
  const RecordOutcome& tool = (*outcomes)[0];
  EXPECT_EQ(tool.record_id, "first");
  ASSERT_EQ(tool.kind, RecordOutcome::Kind::kSucceeded);
  ASSERT_FALSE(tool.response.content.empty());
  const auto& call = std::get<providers::ToolUseBlock>(tool.response.content[0]);
  EXPECT_EQ(call.name, "report_findings");
  EXPECT_EQ(call.input, (json{{"status", "test"}}));
  EXPECT_EQ(tool.response.stop_reason, providers::StopReason::kToolUse);
  EXPECT_GT(tool.response.usage.input_tokens, 0);

  const RecordOutcome& failed = (*outcomes)[1];
  EXPECT_EQ(failed.record_id, "second");
  EXPECT_EQ(failed.kind, RecordOutcome::Kind::kErrored);
  EXPECT_EQ(failed.http_status, 400);
  EXPECT_EQ(failed.error_code, "invalid_request");
  EXPECT_NE(failed.error_message.find("injected failure"), std::string::npos);

  EXPECT_EQ((*outcomes)[2].record_id, "third");
  EXPECT_EQ(providers::response_text((*outcomes)[2].response), "echo: file 2");
  EXPECT_EQ((*outcomes)[2].response.stop_reason, providers::StopReason::kEndTurn);
}

TEST(BedrockBatchAdapter, NovaRecordsUseMessagesV1AndKeepToolNames) {
  fakes::BedrockBatchFake fake({});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url());
  auto batch = adapter->submit(submission(kNova, {"x", "y"}));
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  auto jobs = fake.jobs();
  const std::string key = jobs[0].input_uri.substr(std::string("s3://osprey-test/").size());
  const auto lines = jsonl_lines(*fake.object("osprey-test", key));
  EXPECT_EQ(lines[0]["modelInput"]["schemaVersion"], "messages-v1");
  EXPECT_EQ(lines[0]["modelInput"]["toolConfig"]["toolChoice"],
            (json{{"tool", {{"name", "report_findings"}}}}));
  EXPECT_EQ(poll_until_terminal(*adapter, *batch).state, BatchState::kCompleted);
  auto outcomes = adapter->import_results(*batch);
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 2u);
  const auto& call = std::get<providers::ToolUseBlock>((*outcomes)[0].response.content[0]);
  EXPECT_EQ(call.name, "report_findings");
  EXPECT_EQ((*outcomes)[0].response.stop_reason, providers::StopReason::kToolUse);
  EXPECT_EQ(providers::response_text((*outcomes)[1].response), "echo: file 1");
}

TEST(BedrockBatchAdapter, AJobLeftScheduledCanBeStoppedAndHasNoResults) {
  fakes::BedrockBatchFake fake({.stay_scheduled = true});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url());
  auto batch = adapter->submit(submission(kClaude, {"a", "b"}));
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  auto status = adapter->poll(*batch);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->state, BatchState::kScheduled);
  EXPECT_TRUE(is_not_yet_running(status->state));

  ASSERT_TRUE(adapter->cancel(*batch).ok());
  status = adapter->poll(*batch);
  EXPECT_EQ(status->state, BatchState::kCancelled);
  EXPECT_EQ(status->raw_state, "Stopped");
  EXPECT_TRUE(adapter->cancel(*batch).ok());  // stopping an ended job is not an error
  auto outcomes = adapter->import_results(*batch);
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_TRUE(outcomes->empty());
  EXPECT_EQ(fake.jobs()[0].history, (std::vector<std::string>{"Submitted", "Validating",
                                                              "Scheduled", "Stopping", "Stopped"}));
}

TEST(BedrockBatchAdapter, StoppingARunningJobKeepsTheRecordsItFinished) {
  fakes::BedrockBatchFake fake(
      {.in_progress = std::chrono::minutes(10), .stopping = std::chrono::milliseconds(300)});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url());
  auto batch = adapter->submit(submission(kClaude, {"a", "b", "c", "d"}));
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ(adapter->poll(*batch)->state, BatchState::kInProgress);
  ASSERT_TRUE(adapter->cancel(*batch).ok());
  const BatchState after_stop = adapter->poll(*batch)->state;  // Stopping lasts 300 ms
  EXPECT_TRUE(after_stop == BatchState::kCancelling || after_stop == BatchState::kCancelled);
  EXPECT_EQ(poll_until_terminal(*adapter, *batch).state, BatchState::kCancelled);
  EXPECT_EQ(fake.jobs()[0].history,
            (std::vector<std::string>{"Submitted", "Validating", "Scheduled", "InProgress",
                                      "Stopping", "Stopped"}));
  auto outcomes = adapter->import_results(*batch);
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 2u);
  EXPECT_EQ((*outcomes)[0].record_id, "a");
  EXPECT_EQ((*outcomes)[1].record_id, "b");
}

TEST(BedrockBatchAdapter, TooFewRecordsFailValidationWithBedrocksMessage) {
  fakes::BedrockBatchFake fake({.min_records = 5});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url(), {{"min_records", 5}});
  EXPECT_EQ(adapter->limits().min_records, 5u);
  auto batch = adapter->submit(submission(kClaude, {"a", "b"}));
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  const BatchStatus status = poll_until_terminal(*adapter, *batch);
  EXPECT_EQ(status.state, BatchState::kFailed);
  EXPECT_NE(status.message.find("minimum"), std::string::npos) << status.message;
  EXPECT_TRUE(adapter->import_results(*batch)->empty());
}

TEST(BedrockBatchAdapter, ModelsOfOtherFamiliesNeedAnOverride) {
  fakes::BedrockBatchFake fake({});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url());
  auto refused = adapter->submit(submission("my-custom-claude", {"a"}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(refused.error().message.find("model_family"), std::string::npos);
  EXPECT_TRUE(fake.requests().empty());  // nothing uploaded

  auto forced = make_adapter(fake.base_url(), {{"model_family", "nova"}});
  auto batch = forced->submit(submission("my-custom-claude", {"a"}));
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ(batch->data["family"], "nova");
}

TEST(BedrockBatchAdapter, ARecordTheFormatCannotCarryFailsTheSubmissionNamingIt) {
  fakes::BedrockBatchFake fake({});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url());
  BatchSubmission s = submission(kClaude, {"a", "with-url"});
  s.records[1].request.messages[0].content.push_back(
      providers::ImageBlock{"https://example.com/x.png", "", ""});
  auto refused = adapter->submit(s);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(refused.error().message.find("'with-url'"), std::string::npos);
}

TEST(BedrockBatchAdapter, WrongCredentialsAreAnUpstreamAuthError) {
  fakes::BedrockBatchFake fake({.access_key_id = "SOMEONEELSE"});
  ASSERT_TRUE(fake.start().ok());
  auto adapter = make_adapter(fake.base_url());
  auto refused = adapter->submit(submission(kClaude, {"a"}));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("InvalidAccessKeyId"), std::string::npos)
      << refused.error().message;
}

TEST(BedrockBatchAdapter, ConfigErrorsNameTheKey) {
  AdapterContext c = context_for("http://127.0.0.1:1");
  c.options.erase("bucket");
  auto r = BedrockBatchAdapter::create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfigInvalid);
  EXPECT_EQ(r.error().message, "batch.native.adapters.bedrock.bucket: is required");

  c = context_for("http://127.0.0.1:1", {{"min_records", 0}});
  EXPECT_NE(BedrockBatchAdapter::create(c).error().message.find("min_records"), std::string::npos);
  c = context_for("http://127.0.0.1:1", {{"model_family", "titan"}});
  EXPECT_NE(BedrockBatchAdapter::create(c).error().message.find("model_family"), std::string::npos);
  c = context_for("http://127.0.0.1:1", {{"s3_endpoint", "ftp://x"}});
  EXPECT_NE(BedrockBatchAdapter::create(c).error().message.find("s3_endpoint"), std::string::npos);
  c = context_for("http://127.0.0.1:1", {{"bukket", "x"}});
  EXPECT_NE(BedrockBatchAdapter::create(c).error().message.find("bukket: unknown key"),
            std::string::npos);
  c = context_for("http://127.0.0.1:1");
  c.provider.aws_secret_access_key.clear();
  EXPECT_NE(BedrockBatchAdapter::create(c).error().message.find("aws_secret_access_key"),
            std::string::npos);
}

TEST(BedrockBatchAdapter, JobStatusWordsMapToTheCommonStates) {
  EXPECT_EQ(bedrock_job_state("Submitted"), BatchState::kSubmitted);
  EXPECT_EQ(bedrock_job_state("Validating"), BatchState::kValidating);
  EXPECT_EQ(bedrock_job_state("Scheduled"), BatchState::kScheduled);
  EXPECT_EQ(bedrock_job_state("InProgress"), BatchState::kInProgress);
  EXPECT_EQ(bedrock_job_state("Stopping"), BatchState::kCancelling);
  EXPECT_EQ(bedrock_job_state("Stopped"), BatchState::kCancelled);
  EXPECT_EQ(bedrock_job_state("PartiallyCompleted"), BatchState::kCompleted);
  EXPECT_EQ(bedrock_job_state("Completed"), BatchState::kCompleted);
  EXPECT_EQ(bedrock_job_state("Failed"), BatchState::kFailed);
  EXPECT_EQ(bedrock_job_state("Expired"), BatchState::kExpired);
  EXPECT_EQ(bedrock_job_state("SomethingNew"), BatchState::kInProgress);
}

}  // namespace
}  // namespace osprey::batch::bedrock
