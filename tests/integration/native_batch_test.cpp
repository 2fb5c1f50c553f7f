// Provider-native batch jobs through the real binary: `batch` jobs in native and auto mode run
// against the fake OpenAI Batch API and Anthropic Message Batches (tests/fakes
// fake_batch_service.h), which count how often they ran each record; the fakes' chat endpoints
// count the synchronous calls. Covers completion with a partial failure, the per-model cap,
// auto's fallback to sync with no item run twice, and cancellation at every stage.
#include <gtest/gtest.h>

#include <map>

#include "fakes/fake_upstream.h"
#include "jobs_api.h"
#include "osprey_process.h"
#include "support/eventually.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kAnthropicKey[] = "sk-ant-fake";

json line(const std::string& custom_id, const std::string& model) {
  return {{"custom_id", custom_id},
          {"method", "POST"},
          {"url", "/v1/chat/completions"},
          {"body",
           {{"model", model},
            {"max_tokens", 50},
            {"messages", {{{"role", "user"}, {"content", "hello " + custom_id}}}}}}};
}

class NativeBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    fakes::FakeUpstreamOptions o;
    o.vendor = fakes::Vendor::kOpenAi;
    openai_ = std::make_unique<fakes::FakeUpstream>(o);
    ASSERT_TRUE(openai_->start().ok());
    o.vendor = fakes::Vendor::kAnthropic;
    o.api_key = kAnthropicKey;
    anthropic_ = std::make_unique<fakes::FakeUpstream>(o);
    ASSERT_TRUE(anthropic_->start().ok());
  }

  void start(const std::string& native_yaml, std::vector<std::string> extra = {}) {
    const std::string yaml =
        "models:\n"
        "  - name: gpt-fake\n"
        "    deployments:\n"
        "      - id: gpt@fake\n"
        "        adapter: openai\n"
        "        base_url: " +
        openai_->base_url() +
        "\n"
        "        model: upstream-gpt\n"
        "  - name: claude-fake\n"
        "    deployments:\n"
        "      - id: claude@fake\n"
        "        adapter: anthropic\n"
        "        base_url: " +
        anthropic_->base_url() +
        "\n"
        "        model: claude-upstream\n"
        "        api_key_env: FAKE_ANTHROPIC_KEY\n"
        "batch:\n"
        "  native:\n"
        "    poll_ms: 40\n" +
        native_yaml;
    write_file(dir_.path() + "/osprey.yaml", yaml);
    ProcessOptions options;
    options.args = {"--config", dir_.path() + "/osprey.yaml", "--set", "jobs.poll_ms=50"};
    options.args.insert(options.args.end(), extra.begin(), extra.end());
    options.env = {{"FAKE_ANTHROPIC_KEY", kAnthropicKey}};
    server_ = OspreyProcess::start(options);
    ASSERT_NE(server_, nullptr);
  }

  // A batch job of `n` lines "req-0".."req-<n-1>" for `model`.
  std::int64_t submit(const std::string& model, const std::string& mode, int n,
                      const std::string& prefix = "req-") {
    json items = json::array();
    for (int i = 0; i < n; ++i) items.push_back(line(prefix + std::to_string(i), model));
    json job = submit_job(
        *server_,
        {{"workload", "batch"}, {"spec", {{"items", items}, {"mode", mode}, {"model", model}}}});
    EXPECT_TRUE(job.is_object()) << job.dump();
    return job.is_object() ? job.value("id", std::int64_t{0}) : 0;
  }

  static json knobs(fakes::FakeUpstream& fake, const json& patch = nullptr) {
    HttpResponse r = patch.is_null()
                         ? http_request(fake.port(), "GET", "/_fake/batch")
                         : http_request(fake.port(), "POST", "/_fake/batch", patch.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // Synchronous chat calls the fake answered, per custom_id (read from "hello <custom_id>").
  static std::map<std::string, int> sync_calls(const fakes::FakeUpstream& fake) {
    std::map<std::string, int> calls;
    for (const auto& req : fake.requests()) {
      if (req.path != "/v1/chat/completions" && req.path != "/v1/messages") continue;
      json body = json::parse(req.body, nullptr, false);
      if (!body.is_object()) continue;
      // OpenAI sends a string; Anthropic a list of content blocks.
      const json& content = body["messages"].back()["content"];
      const std::string text = content.is_string() ? content.get<std::string>()
                               : content.is_array() && !content.empty()
                                   ? content[0].value("text", "")
                                   : "";
      if (text.starts_with("hello ")) ++calls[text.substr(6)];
    }
    return calls;
  }

  static std::vector<std::string> events(const json& view) {
    std::vector<std::string> out;
    for (const auto& h : view["driver"]["history"]) out.push_back(h["event"]);
    return out;
  }

  static bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }

  // Polls the job view until `pred` holds (bounded).
  template <typename Pred>
  json wait_for(std::int64_t id, Pred pred) {
    json view;
    if (!eventually([&] { return pred(view = get_job(*server_, id)); }, 15s)) {
      ADD_FAILURE() << "condition not reached; last view: " << view.dump();
    }
    return view;
  }

  TempDir dir_;
  std::unique_ptr<fakes::FakeUpstream> openai_;
  std::unique_ptr<fakes::FakeUpstream> anthropic_;
  std::unique_ptr<OspreyProcess> server_;
};

void expect_partial_failure(const json& done, std::size_t total) {
  EXPECT_EQ(done["state"], "partially_succeeded") << done.dump();
  EXPECT_EQ(done["counts"]["done"], total - 1);
  EXPECT_EQ(done["counts"]["dead"], 1);
  EXPECT_FALSE(done["paused"].get<bool>());
}

TEST_F(NativeBatch, OpenAiNativeCompletesWithAPartialFailure) {
  knobs(*openai_, {{"state_ms", 250}, {"fail_ids", {"req-2"}}});
  start("");
  const std::int64_t id = submit("gpt-fake", "native", 5);
  ASSERT_GT(id, 0);
  json done = wait_finished(*server_, id, 20s);
  expect_partial_failure(done, 5);
  // Every state the fake went through was seen, logged and kept in the job's driver state.
  const auto seen = events(done);
  for (const char* e :
       {"submitted", "validating", "in_progress", "finalizing", "completed", "imported", "done"}) {
    EXPECT_TRUE(has(seen, e)) << e << " in " << done["driver"].dump();
  }
  EXPECT_EQ(done["driver"]["parts"][0]["provider_batch_id"], "batch_1");
  // The provider ran each record once; nothing went through the synchronous endpoint.
  json stats = knobs(*openai_);
  EXPECT_EQ(stats["created"], 1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(stats["runs"]["req-" + std::to_string(i)], 1);
  EXPECT_TRUE(sync_calls(*openai_).empty());

  std::map<std::string, json> by_key;
  for (const json& r : job_results(*server_, id)) by_key[r["key"]] = r;
  ASSERT_EQ(by_key.size(), 5u);
  EXPECT_EQ(by_key["req-0"]["state"], "done");
  EXPECT_EQ(by_key["req-0"]["output"]["custom_id"], "req-0");
  EXPECT_EQ(by_key["req-0"]["output"]["response"]["body"]["choices"][0]["message"]["content"],
            "echo: hello req-0");
  EXPECT_EQ(by_key["req-2"]["state"], "dead");
  EXPECT_NE(by_key["req-2"]["error"]["message"].get<std::string>().find("fail_ids"),
            std::string::npos);
}

TEST_F(NativeBatch, AnthropicNativeCompletesWithAPartialFailure) {
  knobs(*anthropic_, {{"state_ms", 250}, {"fail_ids", {"req-1"}}});
  start("");
  const std::int64_t id = submit("claude-fake", "native", 4);
  ASSERT_GT(id, 0);
  json done = wait_finished(*server_, id, 20s);
  expect_partial_failure(done, 4);
  const auto seen = events(done);
  for (const char* e : {"submitted", "scheduled", "in_progress", "completed", "imported"}) {
    EXPECT_TRUE(has(seen, e)) << e << " in " << done["driver"].dump();
  }
  json stats = knobs(*anthropic_);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(stats["runs"]["req-" + std::to_string(i)], 1);
  EXPECT_TRUE(sync_calls(*anthropic_).empty());
  std::map<std::string, json> by_key;
  for (const json& r : job_results(*server_, id)) by_key[r["key"]] = r;
  EXPECT_EQ(by_key["req-0"]["output"]["response"]["body"]["choices"][0]["message"]["content"],
            "echo: hello req-0");
  EXPECT_EQ(by_key["req-1"]["error"]["code"], "invalid_request_error");
}

TEST_F(NativeBatch, PerModelCapHoldsTheSecondJobUntilTheFirstEnds) {
  knobs(*openai_, {{"state_ms", 150}});
  start("    models:\n      gpt-fake:\n        max_in_flight: 1\n");
  const std::int64_t first = submit("gpt-fake", "native", 2, "a-");
  const std::int64_t second = submit("gpt-fake", "native", 2, "b-");
  json waiting = wait_for(second, [](const json& v) {
    return v.value("status_message", std::string()).find("waiting in Osprey's queue") !=
           std::string::npos;
  });
  EXPECT_EQ(waiting["state"], "queued");
  EXPECT_EQ(knobs(*openai_)["created"], 1);
  json a = wait_finished(*server_, first, 20s);
  json b = wait_finished(*server_, second, 20s);
  EXPECT_EQ(a["state"], "succeeded");
  EXPECT_EQ(b["state"], "succeeded");
  EXPECT_EQ(knobs(*openai_)["created"], 2);
  // The second provider job was submitted only after the first one ended.
  std::string first_ended, second_submitted;
  for (const auto& h : a["driver"]["history"]) {
    if (h["event"] == "completed") first_ended = h["at"];
  }
  for (const auto& h : b["driver"]["history"]) {
    if (h["event"] == "submitted") second_submitted = h["at"];
  }
  ASSERT_FALSE(first_ended.empty());
  ASSERT_FALSE(second_submitted.empty());
  EXPECT_GE(second_submitted, first_ended);
}

TEST_F(NativeBatch, AutoFallsBackToSyncAfterTheThresholdWithNoItemRunTwice) {
  knobs(*openai_, {{"state_ms", 50}, {"stuck", true}});
  start("    fallback_after_ms: 300\n");
  const std::int64_t id = submit("gpt-fake", "auto", 4);
  json done = wait_finished(*server_, id, 20s);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["counts"]["done"], 4);
  EXPECT_EQ(done["driver"]["phase"], "sync");
  EXPECT_TRUE(has(events(done), "fallback"));
  json stats = knobs(*openai_);
  EXPECT_EQ(stats["cancels"], 1);
  EXPECT_TRUE(stats["runs"].empty()) << stats.dump();
  const auto calls = sync_calls(*openai_);
  ASSERT_EQ(calls.size(), 4u);
  for (const auto& [custom_id, n] : calls) EXPECT_EQ(n, 1) << custom_id;
}

TEST_F(NativeBatch, CancelAtEveryStageCancelsTheProviderJobToo) {
  knobs(*openai_, {{"state_ms", 50}, {"stuck", true}});
  start("    fallback_after_ms: 60000\n    models:\n      gpt-fake:\n        max_in_flight: 1\n");
  // Submitted (stuck at the provider) and queued behind the cap.
  const std::int64_t submitted = submit("gpt-fake", "native", 2, "a-");
  const std::int64_t queued = submit("gpt-fake", "native", 2, "b-");
  wait_for(queued, [](const json& v) {
    return v.value("status_message", std::string()).find("waiting in Osprey's queue") !=
           std::string::npos;
  });
  EXPECT_EQ(server_->request("POST", "/v1/jobs/" + std::to_string(queued) + "/cancel").status, 200);
  EXPECT_EQ(wait_finished(*server_, queued, 10s)["state"], "cancelled");
  EXPECT_EQ(knobs(*openai_)["created"], 1);  // never reached the provider

  wait_for(submitted, [](const json& v) {
    return v.value("/driver/parts/0/state"_json_pointer, "") == "validating";
  });
  EXPECT_EQ(server_->request("POST", "/v1/jobs/" + std::to_string(submitted) + "/cancel").status,
            200);
  json cancelled = wait_finished(*server_, submitted, 10s);
  EXPECT_EQ(cancelled["state"], "cancelled");
  wait_for(submitted,
           [](const json& v) { return v.value("/driver/phase"_json_pointer, "") == "cancelled"; });
  EXPECT_EQ(knobs(*openai_)["cancels"], 1);
  EXPECT_TRUE(knobs(*openai_)["runs"].empty());
}

TEST_F(NativeBatch, SubmittingAndCancellingWakeTheDriverBeforeItsNextPoll) {
  knobs(*openai_, {{"state_ms", 50}, {"stuck", true}});
  // poll_ms 600000: after its first pass the driver sleeps for ten minutes unless woken.
  start("", {"--set", "batch.native.poll_ms=600000"});
  const auto wait_stats = [&](const char* field) {
    eventually([&] { return knobs(*openai_).value(field, 0) != 0; });
    return knobs(*openai_).value(field, 0);
  };
  const std::int64_t id = submit("gpt-fake", "native", 2);
  EXPECT_EQ(wait_stats("created"), 1);
  wait_for(id, [](const json& v) {
    return !v.value("/driver/parts/0/provider_batch_id"_json_pointer, "").empty();
  });
  EXPECT_EQ(server_->request("POST", "/v1/jobs/" + std::to_string(id) + "/cancel").status, 200);
  EXPECT_EQ(wait_stats("cancels"), 1);
  EXPECT_EQ(wait_finished(*server_, id, 10s)["state"], "cancelled");
}

TEST_F(NativeBatch, CancelDuringTheSyncFallbackStopsTheJob) {
  knobs(*anthropic_, {{"state_ms", 50}, {"stuck", true}});
  ASSERT_TRUE(anthropic_->patch_faults({{"latency_ms", 200}}).ok());
  start("    fallback_after_ms: 200\n",
        {"--set", "jobs.worker_threads=1", "--set", "jobs.claim_batch=1"});
  const std::int64_t id = submit("claude-fake", "auto", 10);
  // Wait until the fallback is running items synchronously, then cancel.
  ASSERT_TRUE(eventually([&] { return !sync_calls(*anthropic_).empty(); }, 15s))
      << get_job(*server_, id).dump();
  EXPECT_EQ(server_->request("POST", "/v1/jobs/" + std::to_string(id) + "/cancel").status, 200);
  json done = wait_finished(*server_, id, 15s);
  EXPECT_EQ(done["state"], "cancelled");
  EXPECT_GT(done["counts"]["cancelled"], 0);
  EXPECT_EQ(knobs(*anthropic_)["cancels"], 1);  // the fallback's cancel of the provider job
  EXPECT_TRUE(knobs(*anthropic_)["runs"].empty());
  for (const auto& [custom_id, n] : sync_calls(*anthropic_)) EXPECT_EQ(n, 1) << custom_id;
}

}  // namespace
}  // namespace osprey::testing
