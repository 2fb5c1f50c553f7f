// More of the job lifecycle through the real binary: SSE progress, the CLI against a server,
// the running-jobs quota holding a job until a slot frees, a disk below the floor pausing a job
// instead of writing half its results, and the jobs metrics.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "jobs_api.h"
#include "metrics_text.h"
#include "osprey_process.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(JobsLifecycle, EventsStreamProgressThenDone) {
  auto server = start_jobs_server();
  ASSERT_NE(server, nullptr);
  json job =
      submit_job(*server, {{"workload", "noop"}, {"spec", {{"count", 100}, {"delay_ms", 10}}}});
  const std::string id = std::to_string(job["id"].get<std::int64_t>());
  Connection c;
  ASSERT_TRUE(c.connect(server->port()));
  ASSERT_TRUE(c.send_request("GET", "/v1/jobs/" + id + "/events", "", server->admin_auth()));
  HttpResponse r = c.read_response(60s);  // the stream ends when the job finishes
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type").rfind("text/event-stream", 0), 0u);
  EXPECT_NE(r.body.find("event: progress"), std::string::npos) << r.body;
  const auto done = r.body.find("event: done");
  ASSERT_NE(done, std::string::npos) << r.body;
  const auto data = r.body.find("data: ", done);
  json last = json::parse(r.body.substr(data + 6, r.body.find('\n', data) - data - 6));
  EXPECT_EQ(last["state"], "succeeded");
  EXPECT_EQ(last["counts"]["done"], 100);
}

TEST(JobsLifecycle, CliSubmitsWatchesAndFetchesResults) {
  auto server = start_jobs_server();
  ASSERT_NE(server, nullptr);
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  // The CLI reads its key from OSPREY_API_KEY.
  const std::vector<std::pair<std::string, std::string>> key = {
      {"OSPREY_API_KEY", server->admin_key()}};
  CommandResult submitted = run_osprey({"jobs", "submit", "--workload", "noop", "--spec",
                                        R"({"count":40,"delay_ms":5})", "--url", url},
                                       key);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(submitted.out, m, std::regex("submitted job (\\d+) \\(40 items\\)")))
      << submitted.out;
  const std::string id = m[1];

  // Not a terminal: plain progress lines, the last one complete; exit 0 because it succeeded.
  CommandResult watched = run_osprey({"jobs", "watch", id, "--url", url}, key, 60s);
  EXPECT_EQ(watched.exit_code, 0) << watched.err;
  EXPECT_EQ(watched.out.find('\r'), std::string::npos);
  EXPECT_NE(watched.out.find("40/40 100.0%  (succeeded)\n"), std::string::npos) << watched.out;

  CommandResult results = run_osprey({"jobs", "results", id, "--url", url}, key);
  EXPECT_EQ(results.exit_code, 0);
  EXPECT_EQ(std::count(results.out.begin(), results.out.end(), '\n'), 40);

  CommandResult status = run_osprey({"jobs", "status", id, "--json", "--url", url}, key);
  ASSERT_EQ(status.exit_code, 0);
  EXPECT_EQ(json::parse(status.out)["state"], "succeeded");

  CommandResult missing = run_osprey({"jobs", "status", "999", "--url", url}, key);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("HTTP 404"), std::string::npos) << missing.err;
  EXPECT_EQ(run_osprey({"jobs", "status", "--url", url}, key).exit_code, 2);
}

TEST(JobsLifecycle, RunningJobsQuotaHoldsAJobUntilASlotFrees) {
  auto server = start_jobs_server({"--set", "jobs.max_running_jobs_per_tenant=1"});
  ASSERT_NE(server, nullptr);
  json first =
      submit_job(*server, {{"workload", "noop"}, {"spec", {{"count", 40}, {"delay_ms", 20}}}});
  json second = submit_job(*server, {{"workload", "noop"}, {"spec", {{"count", 5}}}});
  ASSERT_TRUE(first.is_object() && second.is_object());
  EXPECT_EQ(second["paused"], true) << second.dump();
  EXPECT_NE(second["status_message"].get<std::string>().find("running-jobs slot"),
            std::string::npos);
  json a = wait_finished(*server, first["id"], 60s);
  json b = wait_finished(*server, second["id"], 60s);
  EXPECT_EQ(a["state"], "succeeded");
  EXPECT_EQ(b["state"], "succeeded");
  // The held job started only after the first one finished.
  EXPECT_GE(b["started_at"].get<std::string>(), a["finished_at"].get<std::string>());
}

TEST(JobsLifecycle, DiskBelowTheFloorPausesTheJobThenItFinishes) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::int64_t id = 0;
  std::string admin_key;
  {
    // A floor no disk can meet.
    auto server = start_jobs_server({"--set", "jobs.min_free_bytes=9000000000000000000"}, data);
    ASSERT_NE(server, nullptr);
    admin_key = server->admin_key();
    json job = submit_job(*server, {{"workload", "noop"}, {"spec", {{"count", 20}}}});
    id = job["id"];
    json view;
    for (int i = 0; i < 600; ++i) {
      view = get_job(*server, id);
      if (view.is_object() && view["paused"] == true) break;
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(view["state"], "running") << view.dump();
    EXPECT_EQ(view["paused"], true);
    EXPECT_NE(view["status_message"].get<std::string>().find("jobs.min_free_bytes"),
              std::string::npos)
        << view.dump();
    EXPECT_FALSE(fs::exists(fs::path(data) / "jobs" / std::to_string(id) / "results.jsonl"));
    EXPECT_EQ(server->request("GET", "/v1/jobs/" + std::to_string(id) + "/results").status, 409);
    const std::string metrics = server->request("GET", "/metrics").body;
    EXPECT_EQ(metric_value(metrics, "osprey_job_finalize_paused", {}), 1);
  }
  // Space is back (a normal floor): the job finishes by itself.
  auto server = start_jobs_server({}, data, admin_key);
  ASSERT_NE(server, nullptr);
  json done = wait_finished(*server, id, 60s);
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(done["paused"], false);
  EXPECT_EQ(job_results(*server, id).size(), 20u);
}

TEST(JobsLifecycle, MetricsCountItemsAndJobs) {
  auto server = start_jobs_server();
  ASSERT_NE(server, nullptr);
  json job = submit_job(*server, {{"workload", "noop"},
                                  {"max_attempts", 2},
                                  {"spec", {{"count", 10}, {"fail_keys", {"item-3"}}}}});
  json done = wait_finished(*server, job["id"], 60s);
  EXPECT_EQ(done["state"], "partially_succeeded");
  const std::string text = server->request("GET", "/metrics").body;
  EXPECT_EQ(
      metric_value(text, "osprey_job_items_total", {{"workload", "noop"}, {"outcome", "done"}}), 9);
  EXPECT_EQ(
      metric_value(text, "osprey_job_items_total", {{"workload", "noop"}, {"outcome", "retry"}}),
      1);
  EXPECT_EQ(
      metric_value(text, "osprey_job_items_total", {{"workload", "noop"}, {"outcome", "dead"}}), 1);
  EXPECT_EQ(metric_value(text, "osprey_jobs_submitted_total", {{"workload", "noop"}}), 1);
  EXPECT_EQ(metric_value(text, "osprey_jobs_finished_total",
                         {{"workload", "noop"}, {"state", "partially_succeeded"}}),
            1);
  EXPECT_EQ(metric_value(text, "osprey_job_items_in_flight", {}), 0);
}

}  // namespace
}  // namespace osprey::testing
