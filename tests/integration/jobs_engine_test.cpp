// The job engine through the real binary over HTTP on SQLite: a noop job runs to _SUCCESS,
// idempotency keys, cancellation, per-resource limits observed by the workload, exec retries and
// dead letters with redrive, and the roles.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <set>
#include <thread>

#include "jobs_api.h"
#include "osprey_process.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The jobs server with item retries 10–50 ms apart, so retry tests finish quickly.
std::unique_ptr<OspreyProcess> start_server(std::vector<std::string> args = {},
                                            std::string data_dir = {}, std::string admin_key = {}) {
  std::vector<std::string> all = {"--set", "jobs.retry_base_delay_ms=10", "--set",
                                  "jobs.retry_max_delay_ms=50"};
  all.insert(all.end(), args.begin(), args.end());
  return start_jobs_server(std::move(all), std::move(data_dir), std::move(admin_key));
}

TEST(JobsEngine, NoopJobRunsToSuccessWithResultsAndMarker) {
  auto server = start_server();
  ASSERT_NE(server, nullptr);
  json job = submit_job(*server, {{"workload", "noop"},
                                  {"spec", {{"count", 300}, {"jitter_ms", 2}}},
                                  {"tags", {{"team", "search"}}}});
  ASSERT_TRUE(job.is_object());
  EXPECT_EQ(job["counts"]["total"], 300);
  const std::int64_t id = job["id"];
  json done = wait_finished(*server, id, 60s);
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(done["counts"]["done"], 300);
  EXPECT_EQ(done["percent"], 100.0);

  auto lines = job_results(*server, id);
  ASSERT_EQ(lines.size(), 300u);
  std::set<std::string> keys;
  for (const json& line : lines) {
    EXPECT_EQ(line["state"], "done");
    keys.insert(line["key"].get<std::string>());
  }
  EXPECT_EQ(keys.size(), 300u);
  const fs::path dir = fs::path(server->data_dir()) / "jobs" / std::to_string(id);
  EXPECT_TRUE(fs::exists(dir / "_SUCCESS"));
  json manifest = json::parse(read_file((dir / "manifest.json").string()));
  EXPECT_EQ(manifest["counts"]["done"], 300);
  EXPECT_EQ(manifest["state"], "succeeded");

  // Listing with filters.
  HttpResponse list = server->request("GET", "/v1/jobs?tag=team%3Dsearch&state=succeeded");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json::parse(list.body)["data"].size(), 1u);
  list = server->request("GET", "/v1/jobs?workload=exec");
  EXPECT_EQ(json::parse(list.body)["data"].size(), 0u);
  EXPECT_EQ(server->request("GET", "/v1/jobs?state=bogus").status, 400);
}

TEST(JobsEngine, BadRequestsGetClearErrors) {
  auto server = start_server();
  ASSERT_NE(server, nullptr);
  auto post = [&](const std::string& body) { return server->request("POST", "/v1/jobs", body); };
  HttpResponse r = post("not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid_request"), std::string::npos);
  r = post(R"({"workload":"nope","spec":{}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown workload"), std::string::npos) << r.body;
  r = post(R"({"workload":"noop","spec":{"count":0}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("spec.count"), std::string::npos) << r.body;
  EXPECT_EQ(server->request("GET", "/v1/jobs/999").status, 404);
  EXPECT_EQ(server->request("GET", "/v1/jobs/abc").status, 404);
}

TEST(JobsEngine, IdempotencyKeyReturnsTheSameJobAndRejectsADifferentBody) {
  auto server = start_server();
  ASSERT_NE(server, nullptr);
  const json body = {{"workload", "noop"}, {"spec", {{"count", 5}}}};
  const Headers key = {{"Idempotency-Key", "batch-2026-11-25"}};
  HttpResponse first = server->request("POST", "/v1/jobs", body.dump(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResponse again = server->request("POST", "/v1/jobs", body.dump(2), key);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(first.body)["id"], json::parse(again.body)["id"]);
  const json other = {{"workload", "noop"}, {"spec", {{"count", 6}}}};
  HttpResponse conflict = server->request("POST", "/v1/jobs", other.dump(), key);
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  HttpResponse list = server->request("GET", "/v1/jobs");
  EXPECT_EQ(json::parse(list.body)["data"].size(), 1u);
}

TEST(JobsEngine, CancelStopsNewClaimsAndFinishesCancelled) {
  auto server = start_server({"--set", "jobs.worker_threads=2", "--set", "jobs.claim_batch=4"});
  ASSERT_NE(server, nullptr);
  json job =
      submit_job(*server, {{"workload", "noop"}, {"spec", {{"count", 400}, {"delay_ms", 20}}}});
  const std::int64_t id = job["id"];
  HttpResponse cancel = server->request("POST", "/v1/jobs/" + std::to_string(id) + "/cancel");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  json done = wait_finished(*server, id, 60s);
  EXPECT_EQ(done["state"], "cancelled");
  EXPECT_GT(done["counts"]["cancelled"].get<int>(), 300);
  auto lines = job_results(*server, id);
  EXPECT_EQ(lines.size(), 400u);
}

TEST(JobsEngine, ResourceLimitIsNeverExceeded) {
  auto server = start_server(
      {"--set", "jobs.worker_threads=8", "--set", "jobs.resources.model-x.max_concurrent=3"});
  ASSERT_NE(server, nullptr);
  json job = submit_job(
      *server,
      {{"workload", "noop"}, {"spec", {{"count", 90}, {"delay_ms", 15}, {"resource", "model-x"}}}});
  const std::int64_t id = job["id"];
  EXPECT_EQ(job["resource"], "model-x");
  json done = wait_finished(*server, id, 60s);
  ASSERT_EQ(done["state"], "succeeded");
  int max_seen = 0;
  for (const json& line : job_results(*server, id)) {
    max_seen = std::max(max_seen, line["output"]["concurrency"].get<int>());
  }
  EXPECT_LE(max_seen, 3);
  EXPECT_GE(max_seen, 2) << "the limit was never approached, so the test proves nothing";
}

class ExecJobs : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = dir_.path() + "/state";
    fs::create_directories(state_);
    // Fails twice (exit 75), then succeeds; counts its attempts per key in the state dir.
    write_file(dir_.path() + "/flaky.sh", R"SH(#!/bin/sh
item=$(cat)
key=$(printf '%s' "$item" | sed 's/.*"key":"\([^"]*\)".*/\1/')
n=$(cat "$STATE/$key" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$STATE/$key"
if [ $n -le 2 ]; then echo "transient $n" >&2; exit 75; fi
printf '{"key":"%s","runs":%d}\n' "$key" $n
)SH");
    // Always fails with exit 3 until a "fixed" file exists.
    write_file(dir_.path() + "/broken.sh", R"SH(#!/bin/sh
cat > /dev/null
if [ -f "$STATE/fixed" ]; then echo '{"ok":true}'; exit 0; fi
echo "boom: model crashed" >&2; exit 3
)SH");
    fs::permissions(dir_.path() + "/flaky.sh", fs::perms::owner_all);
    fs::permissions(dir_.path() + "/broken.sh", fs::perms::owner_all);
    config_ = dir_.path() + "/osprey.yaml";
    write_file(config_,
               "workloads:\n  exec:\n    runners:\n"
               "      flaky:\n        command: [\"" +
                   dir_.path() +
                   "/flaky.sh\"]\n"
                   "        env: {STATE: \"" +
                   state_ +
                   "\"}\n"
                   "      broken:\n        command: [\"" +
                   dir_.path() +
                   "/broken.sh\"]\n"
                   "        env: {STATE: \"" +
                   state_ + "\"}\n");
  }
  TempDir dir_;
  std::string state_, config_;
};

TEST_F(ExecJobs, FlakyItemsRetryToDoneAndBrokenOnesDeadLetterThenRedrive) {
  auto server = start_server({"--config", config_});
  ASSERT_NE(server, nullptr);
  json flaky = submit_job(
      *server, {{"workload", "exec"},
                {"spec",
                 {{"runner", "flaky"},
                  {"items", {{{"key", "a"}, {"input", 1}}, {{"key", "b"}, {"input", 2}}}}}}});
  json broken =
      submit_job(*server, {{"workload", "exec"},
                           {"max_attempts", 3},
                           {"spec", {{"runner", "broken"}, {"items", {{{"key", "x"}}}}}}});
  ASSERT_TRUE(flaky.is_object() && broken.is_object());

  json f = wait_finished(*server, flaky["id"], 60s);
  EXPECT_EQ(f["state"], "succeeded");
  for (const json& line : job_results(*server, flaky["id"])) {
    EXPECT_EQ(line["state"], "done");
    EXPECT_EQ(line["attempts"], 3);
    EXPECT_EQ(line["output"]["runs"], 3);
  }

  const std::string id = std::to_string(broken["id"].get<std::int64_t>());
  json b = wait_finished(*server, broken["id"], 60s);
  EXPECT_EQ(b["state"], "failed");
  EXPECT_EQ(b["counts"]["dead"], 1);
  HttpResponse dead = server->request("GET", "/v1/jobs/" + id + "/dead-letters");
  ASSERT_EQ(dead.status, 200);
  json letters = json::parse(dead.body)["data"];
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["key"], "x");
  EXPECT_EQ(letters[0]["attempts"], 3);
  EXPECT_EQ(letters[0]["error"]["code"], "exit_3");
  EXPECT_EQ(letters[0]["error"]["message"], "exit code 3: boom: model crashed");

  write_file(state_ + "/fixed", "");
  HttpResponse redrive = server->request("POST", "/v1/jobs/" + id + "/redrive");
  ASSERT_EQ(redrive.status, 200) << redrive.body;
  EXPECT_EQ(json::parse(redrive.body)["redriven"], 1);
  json again = wait_finished(*server, broken["id"], 60s);
  EXPECT_EQ(again["state"], "succeeded");
  auto lines = job_results(*server, broken["id"]);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["output"]["ok"], true);
}

TEST(JobsEngine, WorkerRoleServesNoJobsApi) {
  auto worker = start_server({"--role", "worker"});
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(worker->request("GET", "/v1/jobs").status, 404);
  EXPECT_EQ(worker->request("GET", "/healthz").status, 200);
  EXPECT_EQ(worker->request("GET", "/metrics").status, 200);
}

TEST(JobsEngine, ApiRoleQueuesAndAWorkerOnTheSameStoreRunsTheJob) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  auto api = start_server({"--role", "api"}, data);
  ASSERT_NE(api, nullptr);
  json job = submit_job(*api, {{"workload", "noop"}, {"spec", {{"count", 50}}}});
  const std::int64_t id = job["id"];
  std::this_thread::sleep_for(300ms);  // an api node claims nothing, however long it waits
  EXPECT_EQ(get_job(*api, id)["state"], "queued");
  auto worker = start_server({"--role", "worker"}, data);
  ASSERT_NE(worker, nullptr);
  json done = wait_finished(*api, id, 60s);
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(job_results(*api, id).size(), 50u);
}

TEST(JobsEngine, SigtermLetsRunningItemsFinishAndTheJobCompletesAfterRestart) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::int64_t id = 0;
  std::string admin_key;
  {
    auto server = start_server({}, data);
    ASSERT_NE(server, nullptr);
    admin_key = server->admin_key();
    json job =
        submit_job(*server, {{"workload", "noop"}, {"spec", {{"count", 200}, {"delay_ms", 20}}}});
    id = job["id"];
    std::this_thread::sleep_for(200ms);
    server->signal(SIGTERM);
    ASSERT_EQ(server->wait_exit(30s), 0);
  }
  auto restarted = start_server({}, data, admin_key);
  ASSERT_NE(restarted, nullptr);
  json done = wait_finished(*restarted, id, 60s);
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(done["lease_expirations"], 0) << "a clean stop hands every item back";
  EXPECT_EQ(job_results(*restarted, id).size(), 200u);
}

}  // namespace
}  // namespace osprey::testing
