// The native batch driver against a real SQLite store and job engine, with a scripted in-process
// BatchAdapter (the HTTP adapters and fake vendors are tested in tests/integration). Counts how
// often the provider and the synchronous path ran each item, so "never twice" is checked.
#include "batch/native_driver.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "core/metrics.h"
#include "jobs/engine.h"
#include "jobs/job_service.h"
#include "store/store.h"

namespace osprey::batch {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// A provider batch service in memory: validating → in_progress → completed, one step every
// `polls_per_state` polls, or stuck in scheduled until cancelled.
class ScriptedProvider {
 public:
  std::size_t max_records = 100;
  std::size_t min_records = 1;
  std::set<std::string> fail_ids;
  std::set<int> stuck_parts;  // submission numbers (0-based) that never start
  int polls_per_state = 1;

  struct Batch {
    std::vector<std::string> ids;
    int number = 0;
    int polls = 0;
    BatchState state = BatchState::kValidating;
    bool cancel = false;
  };

  Result<SubmittedBatch> submit(const BatchSubmission& s) {
    std::lock_guard lock(mu_);
    Batch b;
    for (const auto& r : s.records) b.ids.push_back(r.record_id);
    b.number = submits_++;
    const std::string id = "b" + std::to_string(b.number);
    batches_[id] = std::move(b);
    return SubmittedBatch{id, {{"label", s.label}}};
  }

  Result<BatchStatus> poll(const SubmittedBatch& sb) {
    std::lock_guard lock(mu_);
    Batch& b = batches_.at(sb.id);
    if (!is_terminal(b.state)) {
      if (b.cancel) {
        b.state = BatchState::kCancelled;
      } else if (stuck_parts.count(b.number) > 0) {
        b.state = BatchState::kScheduled;
      } else if (++b.polls >= polls_per_state) {
        b.polls = 0;
        b.state =
            b.state == BatchState::kValidating ? BatchState::kInProgress : BatchState::kCompleted;
        if (b.state == BatchState::kCompleted) {
          for (const auto& id : b.ids) ++runs_[id];
        }
      }
    }
    BatchStatus st;
    st.state = b.state;
    st.raw_state = "raw-" + std::string(batch_state_name(b.state));
    return st;
  }

  Status cancel(const SubmittedBatch& sb) {
    std::lock_guard lock(mu_);
    ++cancels_;
    batches_.at(sb.id).cancel = true;
    return {};
  }

  Result<std::vector<RecordOutcome>> import(const SubmittedBatch& sb) {
    std::lock_guard lock(mu_);
    const Batch& b = batches_.at(sb.id);
    std::vector<RecordOutcome> out;
    if (b.state != BatchState::kCompleted) return out;
    for (const auto& id : b.ids) {
      RecordOutcome o;
      o.record_id = id;
      if (fail_ids.count(id) > 0) {
        o.kind = RecordOutcome::Kind::kErrored;
        o.error_code = "invalid_request";
        o.error_message = "bad record " + id;
      } else {
        o.response.content.push_back(providers::TextBlock{"native:" + id});
      }
      out.push_back(std::move(o));
    }
    return out;
  }

  int submits() {
    std::lock_guard lock(mu_);
    return submits_;
  }
  int cancels() {
    std::lock_guard lock(mu_);
    return cancels_;
  }
  int runs(const std::string& id) {
    std::lock_guard lock(mu_);
    return runs_[id];
  }
  // Provider jobs submitted and not terminal right now.
  int active() {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [id, b] : batches_) n += is_terminal(b.state) ? 0 : 1;
    return n;
  }

 private:
  std::mutex mu_;
  int submits_ = 0;
  int cancels_ = 0;
  std::map<std::string, Batch> batches_;
  std::map<std::string, int> runs_;
};

class ScriptedAdapter final : public BatchAdapter {
 public:
  explicit ScriptedAdapter(ScriptedProvider& p) : p_(p) {}
  std::string_view name() const override { return "scripted"; }
  BatchLimits limits() const override { return {p_.min_records, p_.max_records}; }
  Result<SubmittedBatch> submit(const BatchSubmission& s) const override { return p_.submit(s); }
  Result<BatchStatus> poll(const SubmittedBatch& b) const override { return p_.poll(b); }
  Status cancel(const SubmittedBatch& b) const override { return p_.cancel(b); }
  Result<std::vector<RecordOutcome>> import_results(const SubmittedBatch& b) const override {
    return p_.import(b);
  }

 private:
  ScriptedProvider& p_;
};

// Spec: {"keys":[...], "mode":"sync|native|auto", "model":"m1", "sync_delay_ms": N}.
class TestWorkload final : public jobs::Workload {
 public:
  std::string_view name() const override { return "nb"; }
  Status validate(const json& spec) const override {
    if (!spec.contains("keys")) return make_error(ErrorCode::kInvalidRequest, "keys: required");
    return {};
  }
  Result<std::vector<jobs::PlannedItem>> plan(const json& spec) const override {
    std::vector<jobs::PlannedItem> items;
    for (const auto& k : spec["keys"]) items.push_back({k.get<std::string>(), {{"prompt", k}}});
    return items;
  }
  std::string resource_key(const json& spec) const override { return spec.value("model", "m1"); }
  jobs::ItemResult run(const jobs::WorkItem& item, const jobs::RunContext&) const override {
    {
      std::lock_guard lock(mu_);
      ++sync_runs_[item.key];
    }
    std::this_thread::sleep_for(milliseconds(item.spec->value("sync_delay_ms", 0)));
    return jobs::ItemResult::success({{"sync", item.key}});
  }
  std::string driver_hold(const json& spec) const override {
    return spec.value("mode", "sync") == "sync" ? "" : std::string(kNativeDriver);
  }
  int sync_runs(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = sync_runs_.find(key);
    return it == sync_runs_.end() ? 0 : it->second;
  }

 private:
  mutable std::mutex mu_;
  mutable std::map<std::string, int> sync_runs_;
};

class TestCodec final : public NativeItemCodec {
 public:
  NativeMode mode(const json& spec) const override {
    return spec.value("mode", "") == "auto" ? NativeMode::kAuto : NativeMode::kNative;
  }
  std::string model(const json& spec) const override { return spec.value("model", ""); }
  Result<providers::ChatRequest> request(const json& input) const override {
    if (!input.contains("prompt")) return make_error(ErrorCode::kInvalidRequest, "no prompt");
    if (input["prompt"] == "bad") {
      return make_error(ErrorCode::kInvalidRequest, "body.messages: required");
    }
    providers::ChatRequest r;
    providers::Message m;
    m.content.push_back(providers::TextBlock{input["prompt"].get<std::string>()});
    r.messages.push_back(std::move(m));
    return r;
  }
  jobs::ItemResult answered(std::int64_t, std::string_view, const json&,
                            const providers::ChatResponse& response) const override {
    return jobs::ItemResult::success({{"native", providers::response_text(response)}});
  }
  jobs::ItemResult errored(std::int64_t, std::string_view, const json&,
                           const RecordOutcome& outcome) const override {
    return jobs::ItemResult::failure(jobs::Outcome::kPermanent, outcome.error_code,
                                     outcome.error_message);
  }
};

class NativeDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("osprey-native-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = store::open_store({.url = "sqlite:" + (dir_ / "osprey.db").string()});
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store.value());
    ASSERT_TRUE(store_->migrate().ok());
    auto tenant = store_->create_tenant("t", "{}");
    ASSERT_TRUE(tenant.ok());
    principal_.tenant_id = tenant->id;
    principal_.tenant_name = "t";
    workloads_.add(std::make_unique<TestWorkload>());
    workload_ = static_cast<const TestWorkload*>(workloads_.find("nb"));
    jobs_config_.worker_threads = 2;
    jobs_config_.poll_interval = milliseconds(20);
    jobs_config_.min_free_bytes = 0;
    jobs_config_.results_dir = (dir_ / "jobs").string();
    metrics_ = std::make_unique<jobs::JobsMetrics>(registry_);
    engine_ = std::make_unique<jobs::Engine>(*store_, workloads_, jobs_config_, *metrics_);
    ASSERT_TRUE(engine_->start(true).ok());
    service_ = std::make_unique<jobs::JobService>(
        *store_, workloads_, jobs_config_, *metrics_, [this] { engine_->wake(); },
        [this](std::int64_t id) { engine_->finalize_soon(id); });
    adapters_.add(
        "scripted", [this](const AdapterContext&) -> Result<std::unique_ptr<BatchAdapter>> {
          return std::unique_ptr<BatchAdapter>(std::make_unique<ScriptedAdapter>(provider_));
        });
    config_.poll = milliseconds(10);
    config_.fallback_after = milliseconds(60000);
  }

  void TearDown() override {
    driver_.reset();
    if (engine_) engine_->stop();
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<NativeDriver> make_driver() {
    NativeDriverDeps deps{
        .store = *store_,
        .workloads = workloads_,
        .adapters = adapters_,
        .resolve_model = [](std::string_view model) -> Result<providers::ProviderConfig> {
          if (model != "m1") return make_error(ErrorCode::kNotFound, "no model");
          providers::ProviderConfig p;
          p.adapter = "scripted";
          p.upstream_model = "up-m1";
          return p;
        },
        .codecs = {{"nb", &codec_}},
        .on_new_work = [this] { engine_->wake(); },
        .on_drained = [this](std::int64_t id) { engine_->finalize_soon(id); }};
    return std::make_unique<NativeDriver>(std::move(deps), config_);
  }

  std::int64_t submit(const std::vector<std::string>& keys, const std::string& mode,
                      int sync_delay_ms = 0) {
    json spec = {{"keys", keys}, {"mode", mode}, {"model", "m1"}, {"sync_delay_ms", sync_delay_ms}};
    json body = {{"workload", "nb"}, {"spec", spec}};
    auto job = service_->submit(principal_, body.dump(), "");
    EXPECT_TRUE(job.ok()) << job.error().message;
    return job.ok() ? job->job.id : 0;
  }

  store::Job job(std::int64_t id) {
    auto j = store_->get_job(std::nullopt, id);
    EXPECT_TRUE(j.ok() && j->has_value());
    return j.ok() && j->has_value() ? **j : store::Job{};
  }

  // Ticks the driver until `done` holds (generous bound).
  template <typename Pred>
  bool tick_until(NativeDriver& driver, Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      driver.tick();
      if (done()) return true;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return false;
  }

  bool finished(std::int64_t id) { return job(id).finished_at.has_value(); }

  std::vector<std::string> keys(int n, const std::string& prefix = "k") {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  gateway::Principal principal_;
  jobs::WorkloadRegistry workloads_;
  const TestWorkload* workload_ = nullptr;
  jobs::JobsConfig jobs_config_;
  metrics::Registry registry_;
  std::unique_ptr<jobs::JobsMetrics> metrics_;
  std::unique_ptr<jobs::Engine> engine_;
  std::unique_ptr<jobs::JobService> service_;
  ScriptedProvider provider_;
  BatchAdapterRegistry adapters_;
  TestCodec codec_;
  NativeBatchConfig config_;
  std::unique_ptr<NativeDriver> driver_;
};

TEST_F(NativeDriverTest, NativeJobIsHeldFromTheEngineAndCompletesWithAPartialFailure) {
  provider_.fail_ids = {"k1"};
  provider_.polls_per_state = 2;  // every state is seen by a poll
  const std::int64_t id = submit({"k0", "k1", "k2", "bad"}, "native");
  // Created held: the engine never claims it.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_TRUE(job(id).paused);
  EXPECT_EQ(job(id).status_message, "native_batch: waiting for the driver");
  EXPECT_EQ(workload_->sync_runs("k0"), 0);

  auto driver = make_driver();
  ASSERT_TRUE(tick_until(*driver, [&] { return finished(id); }));
  store::Job j = job(id);
  EXPECT_EQ(j.state, store::JobState::kPartiallySucceeded);
  EXPECT_EQ(j.counts.done, 2);
  EXPECT_EQ(j.counts.dead, 2);  // k1 failed at the provider, "bad" never became a request
  EXPECT_FALSE(j.paused);
  for (const char* k : {"k0", "k1", "k2"}) {
    EXPECT_EQ(provider_.runs(k), 1) << k;
    EXPECT_EQ(workload_->sync_runs(k), 0) << k;
  }
  EXPECT_EQ(provider_.runs("bad"), 0);
  EXPECT_EQ(provider_.submits(), 1);

  store::ItemFilter filter;
  filter.job_id = id;
  auto items = store_->list_items(filter);
  ASSERT_TRUE(items.ok());
  std::map<std::string, store::JobItem> by_key;
  for (const auto& item : items.value()) by_key[item.key] = item;
  EXPECT_EQ(json::parse(*by_key["k0"].result_json), (json{{"native", "native:k0"}}));
  EXPECT_EQ(by_key["k1"].last_error_code, "invalid_request");
  EXPECT_EQ(by_key["k1"].last_error, "bad record k1");
  EXPECT_EQ(by_key["bad"].last_error, "body.messages: required");

  // Every provider state change is in the driver state's history.
  json st = json::parse(j.driver_state);
  EXPECT_EQ(st["phase"], "done");
  EXPECT_EQ(st["parts"][0]["provider_batch_id"], "b0");
  std::vector<std::string> events;
  for (const auto& h : st["history"]) events.push_back(h["event"]);
  for (const char* e :
       {"planned", "submitted", "validating", "in_progress", "completed", "imported", "done"}) {
    EXPECT_NE(std::find(events.begin(), events.end(), e), events.end()) << e;
  }
}

TEST_F(NativeDriverTest, PerModelCapHoldsTheSecondJobUntilTheFirstEnds) {
  config_.max_in_flight = 1;
  provider_.polls_per_state = 3;
  const std::int64_t first = submit(keys(3, "a"), "native");
  const std::int64_t second = submit(keys(3, "b"), "native");
  auto driver = make_driver();
  driver->tick();
  EXPECT_EQ(provider_.submits(), 1);
  EXPECT_NE(job(second).status_message.find("waiting in Osprey's queue"), std::string::npos)
      << job(second).status_message;
  int max_active = 0;
  ASSERT_TRUE(tick_until(*driver, [&] {
    max_active = std::max(max_active, provider_.active());
    return finished(first) && finished(second);
  }));
  EXPECT_EQ(max_active, 1);
  EXPECT_EQ(provider_.submits(), 2);
  EXPECT_EQ(job(first).state, store::JobState::kSucceeded);
  EXPECT_EQ(job(second).state, store::JobState::kSucceeded);
}

TEST_F(NativeDriverTest, AutoFallsBackToSyncForWhatTheProviderDidNotFinish) {
  // Two provider jobs (2 records each): the first completes, the second stays scheduled.
  config_.fallback_after = milliseconds(50);
  provider_.max_records = 2;
  provider_.stuck_parts = {1};
  const std::int64_t id = submit(keys(4), "auto");
  auto driver = make_driver();
  ASSERT_TRUE(tick_until(*driver, [&] { return finished(id); }));
  store::Job j = job(id);
  EXPECT_EQ(j.state, store::JobState::kSucceeded);
  EXPECT_EQ(j.counts.done, 4);
  EXPECT_EQ(provider_.cancels(), 1);
  for (const char* k : {"k0", "k1"}) {
    EXPECT_EQ(provider_.runs(k), 1) << k;
    EXPECT_EQ(workload_->sync_runs(k), 0) << k;
  }
  for (const char* k : {"k2", "k3"}) {
    EXPECT_EQ(provider_.runs(k), 0) << k;
    EXPECT_EQ(workload_->sync_runs(k), 1) << k;
  }
  json st = json::parse(j.driver_state);
  EXPECT_EQ(st["phase"], "sync");
  EXPECT_TRUE(st["parts"][1]["fallback"].get<bool>());
  EXPECT_EQ(st["parts"][1]["state"], "cancelled");
}

TEST_F(NativeDriverTest, NativeModeNeverFallsBack) {
  config_.fallback_after = milliseconds(1);
  provider_.stuck_parts = {0};
  const std::int64_t id = submit(keys(2), "native");
  auto driver = make_driver();
  for (int i = 0; i < 20; ++i) {
    driver->tick();
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(provider_.cancels(), 0);
  EXPECT_FALSE(finished(id));
  EXPECT_NE(job(id).status_message.find("scheduled"), std::string::npos) << job(id).status_message;
}

TEST_F(NativeDriverTest, CancelWhileQueuedBehindTheCapNeverSubmits) {
  config_.max_in_flight = 1;
  provider_.stuck_parts = {0};
  const std::int64_t first = submit(keys(2, "a"), "native");
  const std::int64_t second = submit(keys(2, "b"), "native");
  auto driver = make_driver();
  driver->tick();
  ASSERT_TRUE(service_->cancel(principal_, second).ok());
  ASSERT_TRUE(tick_until(*driver, [&] { return finished(second); }));
  EXPECT_EQ(job(second).state, store::JobState::kCancelled);
  EXPECT_EQ(provider_.submits(), 1);
  // And the first, running at the provider: cancelling the job cancels the provider job.
  ASSERT_TRUE(service_->cancel(principal_, first).ok());
  ASSERT_TRUE(tick_until(*driver, [&] { return finished(first) && provider_.cancels() == 1; }));
  EXPECT_EQ(job(first).state, store::JobState::kCancelled);
  EXPECT_EQ(json::parse(job(first).driver_state)["phase"], "cancelled");
  driver->tick();
  EXPECT_EQ(provider_.cancels(), 1);  // once
  EXPECT_EQ(provider_.runs("a0"), 0);
}

TEST_F(NativeDriverTest, CancelDuringTheSyncFallbackStopsTheJob) {
  config_.fallback_after = milliseconds(20);
  provider_.stuck_parts = {0};
  const std::int64_t id = submit(keys(20), "auto", /*sync_delay_ms=*/50);
  auto driver = make_driver();
  ASSERT_TRUE(tick_until(*driver, [&] { return workload_->sync_runs("k0") > 0; }));
  EXPECT_EQ(provider_.cancels(), 1);
  ASSERT_TRUE(service_->cancel(principal_, id).ok());
  ASSERT_TRUE(tick_until(*driver, [&] { return finished(id); }));
  EXPECT_EQ(job(id).state, store::JobState::kCancelled);
  EXPECT_EQ(provider_.cancels(), 1);
  for (int i = 0; i < 20; ++i) {
    const std::string k = "k" + std::to_string(i);
    EXPECT_LE(workload_->sync_runs(k), 1) << k;
    EXPECT_EQ(provider_.runs(k), 0) << k;
  }
}

TEST_F(NativeDriverTest, ARestartedDriverResumesPollingTheSubmittedJob) {
  provider_.polls_per_state = 1000;  // stays validating while the first driver runs
  const std::int64_t id = submit(keys(3), "native");
  {
    auto driver = make_driver();
    driver->tick();
    EXPECT_EQ(provider_.submits(), 1);
  }
  provider_.polls_per_state = 1;
  auto restarted = make_driver();
  ASSERT_TRUE(tick_until(*restarted, [&] { return finished(id); }));
  EXPECT_EQ(provider_.submits(), 1);
  EXPECT_EQ(job(id).state, store::JobState::kSucceeded);
  EXPECT_EQ(provider_.runs("k0"), 1);
}

TEST_F(NativeDriverTest, SmallJobsArePaddedAndThePaddingIsDropped) {
  provider_.min_records = 5;
  const std::int64_t id = submit(keys(2), "native");
  auto driver = make_driver();
  ASSERT_TRUE(tick_until(*driver, [&] { return finished(id); }));
  EXPECT_EQ(provider_.runs(padding_record_id(0)), 1);
  EXPECT_EQ(provider_.runs(padding_record_id(2)), 1);
  EXPECT_EQ(job(id).counts.total, 2);
  EXPECT_EQ(job(id).state, store::JobState::kSucceeded);
}

TEST(NativeBatchConfig, ParsesCapsAndRejectsUnknownKeys) {
  auto c = parse_native_batch_config(json::parse(R"({"batch":{"max_file_bytes":1,"native":{
      "poll_ms":100,"fallback_after_ms":5000,"max_in_flight":3,
      "models":{"gpt":{"max_in_flight":1}},
      "adapters":{"bedrock":{"max_in_flight":2,"bucket":"b"}}}}})"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->poll, milliseconds(100));
  EXPECT_EQ(c->fallback_after, milliseconds(5000));
  EXPECT_EQ(c->cap_for("gpt", "openai"), 1);
  EXPECT_EQ(c->cap_for("claude", "bedrock"), 2);
  EXPECT_EQ(c->cap_for("other", "openai"), 3);
  EXPECT_EQ(c->adapter_options["bedrock"], (json{{"bucket", "b"}}));
  auto bad = parse_native_batch_config(json::parse(R"({"batch":{"native":{"poll":1}}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "config: batch.native.poll: unknown key");
  auto negative =
      parse_native_batch_config(json::parse(R"({"batch":{"native":{"max_in_flight":-1}}})"));
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("batch.native.max_in_flight"), std::string::npos);
}

}  // namespace
}  // namespace osprey::batch
