// Bedrock batch inference through the real binary: a `batch` job in native mode for a Claude
// model on a `bedrock` deployment goes to the Bedrock batch fake (tests/fakes
// bedrock_batch_fake.h: S3 + the model invocation job control plane), padded to the configured
// minimum record count, and completes with one record failing; auto mode falls back to the
// synchronous Converse API when the provider job stays Scheduled.
#include <gtest/gtest.h>

#include <map>

#include "fakes/bedrock_batch_fake.h"
#include "fakes/fake_upstream.h"
#include "jobs_api.h"
#include "osprey_process.h"
#include "support/eventually.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kModel[] = "anthropic.claude-3-haiku-20240307-v1:0";

json line(const std::string& custom_id) {
  return {{"custom_id", custom_id},
          {"method", "POST"},
          {"url", "/v1/chat/completions"},
          {"body",
           {{"model", "claude-bedrock"},
            {"max_tokens", 50},
            {"temperature", 0},
            {"messages", {{{"role", "user"}, {"content", "hello " + custom_id}}}}}}};
}

// The text of a record's last user turn ("hello req-3"), Claude Messages shape.
std::string record_text(const json& record) {
  const json& content = record["modelInput"]["messages"].back()["content"];
  return content.is_array() && !content.empty() ? content[0].value("text", "") : "";
}

class BedrockBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    fakes::FakeUpstreamOptions o;
    o.vendor = fakes::Vendor::kBedrock;
    runtime_ = std::make_unique<fakes::FakeUpstream>(o);
    ASSERT_TRUE(runtime_->start().ok());
    fakes::BedrockBatchFakeOptions b;
    b.access_key_id = "AKIDBATCH";
    b.min_records = 8;  // like Bedrock's minimum-records quota: a smaller job fails validation
    b.stay_scheduled = true;
    b.in_progress = 300ms;  // long enough for the driver's polls to see it
    batch_ = std::make_unique<fakes::BedrockBatchFake>(b);
    ASSERT_TRUE(batch_->start().ok());
  }

  void start(const std::string& native_extra = "") {
    const std::string yaml =
        "models:\n"
        "  - name: claude-bedrock\n"
        "    deployments:\n"
        "      - id: claude@bedrock\n"
        "        adapter: bedrock\n"
        "        region: us-east-1\n"
        "        base_url: " +
        runtime_->base_url() +
        "\n"
        "        model: " +
        kModel +
        "\n"
        "        aws_access_key_id_env: FAKE_AWS_KEY_ID\n"
        "        aws_secret_access_key_env: FAKE_AWS_SECRET\n"
        "batch:\n"
        "  native:\n"
        "    poll_ms: 40\n" +
        native_extra +
        "    adapters:\n"
        "      bedrock:\n"
        "        bucket: osprey-it\n"
        "        role_arn: arn:aws:iam::123456789012:role/BedrockBatch\n"
        "        min_records: 8\n"
        "        bedrock_endpoint: " +
        batch_->base_url() +
        "\n"
        "        s3_endpoint: " +
        batch_->base_url() + "\n";
    write_file(dir_.path() + "/osprey.yaml", yaml);
    ProcessOptions options;
    options.args = {"--config", dir_.path() + "/osprey.yaml", "--set", "jobs.poll_ms=50"};
    options.env = {{"FAKE_AWS_KEY_ID", "AKIDBATCH"}, {"FAKE_AWS_SECRET", "fake-secret"}};
    server_ = OspreyProcess::start(options);
    ASSERT_NE(server_, nullptr);
  }

  std::int64_t submit(const std::string& mode, int n) {
    json items = json::array();
    for (int i = 0; i < n; ++i) items.push_back(line("req-" + std::to_string(i)));
    json job = submit_job(
        *server_, {{"workload", "batch"},
                   {"spec", {{"items", items}, {"mode", mode}, {"model", "claude-bedrock"}}}});
    EXPECT_TRUE(job.is_object()) << job.dump();
    return job.is_object() ? job.value("id", std::int64_t{0}) : 0;
  }

  // Waits until the fake holds one job, and returns its input records.
  std::vector<json> input_records() {
    std::vector<fakes::FakeBatchJob> jobs;
    if (!eventually(
            [&] {
              jobs = batch_->jobs();
              return !jobs.empty() && jobs[0].status == "Scheduled";
            },
            15s)) {
      ADD_FAILURE() << "no provider job reached Scheduled";
      return {};
    }
    const std::string key = jobs[0].input_uri.substr(std::string("s3://osprey-it/").size());
    return jsonl(*batch_->object("osprey-it", key));
  }

  static std::vector<json> jsonl(const std::string& text) {
    std::vector<json> out;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) out.push_back(json::parse(text.substr(start, end - start)));
      start = end + 1;
    }
    return out;
  }

  int converse_calls() const {
    int n = 0;
    for (const auto& r : runtime_->requests()) n += r.path.ends_with("/converse") ? 1 : 0;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<fakes::FakeUpstream> runtime_;
  std::unique_ptr<fakes::BedrockBatchFake> batch_;
  std::unique_ptr<OspreyProcess> server_;
};

TEST_F(BedrockBatch, NativeJobIsPaddedAndCompletesWithOneRecordFailing) {
  start();
  const std::int64_t id = submit("native", 5);
  ASSERT_GT(id, 0);

  // The provider job holds the 5 requests plus 3 padding records; fail the one for req-2.
  const std::vector<json> records = input_records();
  ASSERT_EQ(records.size(), 8u);
  std::string failing;
  int requests = 0;
  for (const json& r : records) {
    EXPECT_EQ(r["modelInput"]["anthropic_version"], "bedrock-2023-05-31");
    const std::string text = record_text(r);
    if (text == "hello req-2") failing = r["recordId"];
    if (text.starts_with("hello req-")) {
      ++requests;
      EXPECT_EQ(r["modelInput"]["temperature"], 0);
    }
  }
  EXPECT_EQ(requests, 5);
  ASSERT_FALSE(failing.empty());
  batch_->set_fail_record_ids({failing});
  // Let it run once the driver has seen it Scheduled.
  EXPECT_TRUE(eventually(
      [&] {
        return get_job(*server_, id).value("/driver/parts/0/state"_json_pointer, "") == "scheduled";
      },
      15s));
  batch_->set_stay_scheduled(false);

  json done = wait_finished(*server_, id, 20s);
  EXPECT_EQ(done["state"], "partially_succeeded") << done.dump();
  EXPECT_EQ(done["counts"]["done"], 4);
  EXPECT_EQ(done["counts"]["dead"], 1);
  std::vector<std::string> seen;
  for (const auto& h : done["driver"]["history"]) seen.push_back(h["event"]);
  for (const char* e : {"submitted", "scheduled", "in_progress", "completed", "imported"}) {
    EXPECT_NE(std::find(seen.begin(), seen.end(), e), seen.end()) << e << " in " << done.dump();
  }

  std::map<std::string, json> by_key;
  for (const json& r : job_results(*server_, id)) by_key[r["key"]] = r;
  ASSERT_EQ(by_key.size(), 5u);  // padding never reaches an item
  EXPECT_EQ(by_key["req-0"]["state"], "done");
  EXPECT_EQ(by_key["req-0"]["output"]["response"]["body"]["choices"][0]["message"]["content"],
            "echo: hello req-0");
  EXPECT_EQ(by_key["req-2"]["state"], "dead");
  EXPECT_NE(by_key["req-2"]["error"].dump().find("injected failure"), std::string::npos)
      << by_key["req-2"].dump();
  EXPECT_EQ(batch_->jobs().size(), 1u);
  EXPECT_EQ(converse_calls(), 0);  // nothing went through the synchronous API
}

TEST_F(BedrockBatch, AutoModeStopsAJobLeftScheduledAndRunsItSynchronously) {
  start("    fallback_after_ms: 300\n");
  const std::int64_t id = submit("auto", 3);
  ASSERT_GT(id, 0);
  json done = wait_finished(*server_, id, 20s);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["counts"]["done"], 3);
  auto jobs = batch_->jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].status, "Stopped");
  EXPECT_EQ(jobs[0].stop_calls, 1);
  EXPECT_EQ(converse_calls(), 3);  // each item once, synchronously
}

}  // namespace
}  // namespace osprey::testing
