// The batch workload in sync mode over a real store and file store with a scripted ChatCaller:
// planning reads the tenant's file line by line, run() turns answers and failures into item
// outcomes, finalize() writes the output and error files.
#include "batch/batch_workload.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>

#include "batch/batch_output.h"
#include "batch/native_item_codec.h"
#include "unit/gateway/temp_store.h"

namespace osprey::batch {
namespace {

using nlohmann::json;

class ScriptedCaller final : public jobs::ChatCaller {
 public:
  jobs::ChatCallResult call(const jobs::ChatCall& call) const override {
    std::lock_guard lock(mu_);
    calls.push_back(call);
    if (error) return *error;
    jobs::ChatCallReply reply;
    reply.response.id = "chatcmpl-1";
    reply.response.model = call.request.model;
    reply.response.content.push_back(providers::TextBlock{"answer"});
    reply.response.stop_reason = providers::StopReason::kEndTurn;
    reply.response.usage = {5, 1};
    reply.deployment = "dep";
    reply.request_id = "rid-1";
    reply.cost_micros = 12;
    return reply;
  }
  mutable std::mutex mu_;
  mutable std::vector<jobs::ChatCall> calls;
  std::optional<providers::UpstreamError> error;
};

std::string line(const std::string& id, const std::string& model = "gpt") {
  return json{{"custom_id", id},
              {"method", "POST"},
              {"url", "/v1/chat/completions"},
              {"body", {{"model", model}, {"messages", {{{"role", "user"}, {"content", "q"}}}}}}}
      .dump();
}

class BatchWorkloadTest : public ::testing::Test {
 protected:
  static std::string temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "osprey-batch-XXXXXX").string();
    return ::mkdtemp(pattern.data()) ? pattern : "/nonexistent";
  }
  ~BatchWorkloadTest() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  gateway::Principal who(std::int64_t tenant) {
    gateway::Principal p;
    p.tenant_id = tenant;
    p.key_id = 7;
    return p;
  }

  jobs::WorkItem work_item(const jobs::PlannedItem& planned, std::int64_t item_id) {
    jobs::WorkItem item;
    item.job_id = 1;
    item.item_id = item_id;
    item.tenant_id = acme_;
    item.key = planned.key;
    item.input = planned.input;
    item.spec = &spec_;
    return item;
  }

  gateway::testing::TempStore store_;
  std::int64_t acme_ = store_.tenant("acme");
  std::int64_t other_ = store_.tenant("other");
  std::string dir_ = temp_dir();
  FileStore files_{*store_, dir_ + "/files", 1 << 20};
  ScriptedCaller caller_;
  BatchWorkload workload_{{.caller = caller_, .files = files_, .store = *store_}};
  json spec_ = json::object();
};

TEST_F(BatchWorkloadTest, PlansTheTenantsFileIntoItemsKeyedByCustomId) {
  auto file = files_.create(acme_, "batch", "in.jsonl", line("a") + "\n" + line("b") + "\n");
  ASSERT_TRUE(file.ok()) << file.error().message;
  spec_ = {{"input_file_id", file->id}};
  ASSERT_TRUE(workload_.validate(spec_).ok());
  EXPECT_EQ(workload_.resource_key(spec_), "gpt");
  auto items = workload_.plan_for(spec_, who(acme_));
  ASSERT_TRUE(items.ok()) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].key, "a");
  EXPECT_EQ((*items)[0].input["line"], 1);
  EXPECT_EQ((*items)[0].input["key_id"], 7);
  EXPECT_EQ((*items)[1].input["body"]["model"], "gpt");

  // Another tenant's file does not exist for this tenant; an output file is not an input.
  EXPECT_EQ(workload_.plan_for(spec_, who(other_)).code(), ErrorCode::kNotFound);
  auto output = files_.put(acme_, "file-out", "batch_output", "o.jsonl", line("c"));
  ASSERT_TRUE(output.ok());
  EXPECT_EQ(workload_.plan_for({{"input_file_id", "file-out"}}, who(acme_)).code(),
            ErrorCode::kInvalidRequest);
  // The key's plan decides which models a batch may use.
  gateway::Principal narrow = who(acme_);
  narrow.plan.allowed_models = {"other"};
  EXPECT_EQ(workload_.plan_for(spec_, narrow).code(), ErrorCode::kForbidden);
}

TEST_F(BatchWorkloadTest, SpecChecksNameTheField) {
  const auto message = [&](const json& spec) {
    Status st = workload_.validate(spec);
    return st.ok() ? std::string("ok") : st.error().message;
  };
  EXPECT_EQ(message({{"items", json::array()}}), "ok");
  EXPECT_NE(message(json::object()).find("input_file_id"), std::string::npos);
  EXPECT_NE(message({{"items", json::array()}, {"input_file_id", "f"}}).find("input_file_id"),
            std::string::npos);
  EXPECT_NE(message({{"items", json::array()}, {"endpoint", "/v1/embeddings"}}).find("endpoint"),
            std::string::npos);
  EXPECT_NE(message({{"items", json::array()}, {"mode", "later"}}).find("mode"), std::string::npos);
  // native and auto are accepted and held for the native batch driver; sync is the engine's.
  EXPECT_EQ(message({{"items", json::array()}, {"mode", "native"}}), "ok");
  EXPECT_EQ(message({{"items", json::array()}, {"mode", "auto"}}), "ok");
  EXPECT_EQ(workload_.driver_hold({{"mode", "native"}}), kNativeDriver);
  EXPECT_EQ(workload_.driver_hold({{"mode", "auto"}}), kNativeDriver);
  EXPECT_EQ(workload_.driver_hold({{"mode", "sync"}}), "");
  EXPECT_EQ(workload_.driver_hold(json::object()), "");
  EXPECT_NE(
      message({{"items", json::array()}, {"completion_window", "1h"}}).find("completion_window"),
      std::string::npos);
  EXPECT_NE(message({{"items", json::array()}, {"metadata", {{"k", 1}}}}).find("metadata"),
            std::string::npos);
  EXPECT_NE(message({{"items", json::array()}, {"colour", "red"}}).find("colour"),
            std::string::npos);
}

TEST_F(BatchWorkloadTest, RunSendsTheLineAndRecordsTheOpenAiOutputLine) {
  spec_ = {{"items", {json::parse(line("a"))}}};
  auto items = workload_.plan_for(spec_, who(acme_));
  ASSERT_TRUE(items.ok());
  const jobs::ItemResult result = workload_.run(work_item((*items)[0], 41), {});
  ASSERT_EQ(result.outcome, jobs::Outcome::kSuccess) << result.error_message;
  EXPECT_EQ(result.cost_micros, 12);
  EXPECT_EQ(result.output["id"], "batch_req_41");
  EXPECT_EQ(result.output["custom_id"], "a");
  EXPECT_EQ(result.output["response"]["status_code"], 200);
  EXPECT_EQ(result.output["response"]["request_id"], "rid-1");
  EXPECT_EQ(result.output["response"]["body"]["choices"][0]["message"]["content"], "answer");
  ASSERT_EQ(caller_.calls.size(), 1u);
  EXPECT_EQ(caller_.calls[0].tenant_id, acme_);
  EXPECT_EQ(caller_.calls[0].key_id, 7);
  EXPECT_EQ(caller_.calls[0].request.model, "gpt");
}

TEST_F(BatchWorkloadTest, FailedCallsBecomeOutcomesAndShutdownHandsTheItemBack) {
  spec_ = {{"items", {json::parse(line("a"))}}};
  auto items = workload_.plan_for(spec_, who(acme_));
  ASSERT_TRUE(items.ok());
  caller_.error = providers::UpstreamError{.code = ErrorCode::kUpstreamRateLimited,
                                           .message = "slow down",
                                           .retry_after = std::chrono::milliseconds(2000)};
  jobs::ItemResult result = workload_.run(work_item((*items)[0], 1), {});
  EXPECT_EQ(result.outcome, jobs::Outcome::kRateLimited);
  EXPECT_EQ(result.retry_after, std::chrono::milliseconds(2000));

  caller_.error = providers::UpstreamError{.code = ErrorCode::kUnavailable, .message = "down"};
  result = workload_.run(work_item((*items)[0], 1), {});
  EXPECT_EQ(result.outcome, jobs::Outcome::kRetryable);
  std::atomic<bool> stopping{true};
  jobs::RunContext ctx;
  ctx.stopping = &stopping;
  result = workload_.run(work_item((*items)[0], 1), ctx);
  EXPECT_EQ(result.outcome, jobs::Outcome::kRateLimited);
  EXPECT_EQ(result.error_code, "interrupted");
}

TEST_F(BatchWorkloadTest, FinalizeWritesOutputAndErrorFiles) {
  store::NewJob job;
  job.tenant_id = acme_;
  job.workload = "batch";
  job.items = {{"a", "{}"}, {"b", "{}"}, {"c", "{}"}};
  auto created = store_->create_job(job);
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::int64_t job_id = created->job.id;
  auto claimed = store_->claim_items({.worker_id = "w", .max_items = 10});
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 3u);
  std::vector<store::ItemSettlement> settle;
  for (const store::ClaimedItem& c : claimed.value()) {
    store::ItemSettlement s;
    s.lease = c.lease;
    if (c.key == "a") {
      s.outcome = store::ItemOutcome::kDone;
      s.result_json = success_line(c.lease.item_id, "a", "rid", {{"ok", true}}).dump();
    } else {
      s.outcome = store::ItemOutcome::kDead;
      s.error_code = c.key == "b" ? "invalid_request" : "lease_expired";
      s.error_message = "failed " + c.key;
    }
    settle.push_back(s);
  }
  ASSERT_TRUE(store_->settle_items(settle).ok());

  const json summary =
      workload_.finalize({.job_id = job_id, .tenant_id = acme_, .total = 3, .done = 1, .dead = 2});
  EXPECT_EQ(summary["output_file_id"], output_file_id(job_id));
  EXPECT_EQ(summary["error_file_id"], error_file_id(job_id));
  auto output = files_.read(acme_, output_file_id(job_id));
  ASSERT_TRUE(output.ok());
  EXPECT_EQ(json::parse(output.value())["custom_id"], "a");
  auto errors = files_.read(acme_, error_file_id(job_id));
  ASSERT_TRUE(errors.ok());
  EXPECT_NE(errors->find("\"status_code\":400"), std::string::npos) << *errors;
  EXPECT_NE(errors->find("\"code\":\"lease_expired\""), std::string::npos) << *errors;
  EXPECT_EQ(files_.get(acme_, output_file_id(job_id))->purpose, "batch_output");
  EXPECT_EQ(files_.get(other_, output_file_id(job_id)).code(), ErrorCode::kNotFound);
}

TEST_F(BatchWorkloadTest, UploadsOverTheLimitAreRefused) {
  FileStore small(*store_, dir_ + "/small", 10);
  EXPECT_EQ(small.create(acme_, "batch", "x", std::string(11, 'x')).code(),
            ErrorCode::kPayloadTooLarge);
  auto ok = small.create(acme_, "batch", "x", "0123456789");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->id.size(), 5u + 24u);
  EXPECT_EQ(small.read(acme_, ok->id).value(), "0123456789");
  EXPECT_TRUE(small.remove(acme_, ok->id).ok());
  EXPECT_EQ(small.read(acme_, ok->id).code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace osprey::batch
