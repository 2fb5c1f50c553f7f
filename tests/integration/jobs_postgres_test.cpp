// Scale-out on PostgreSQL: an API process and two worker processes share one database; a
// 10,000-item job is processed by both workers with no item recorded twice. Skipped unless
// OSPREY_TEST_PG_URL is set (scripts/test.sh starts a throwaway server).
#include <gtest/gtest.h>

#include <set>

#include "jobs_api.h"
#include "metrics_text.h"
#include "osprey_process.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(JobsPostgres, TwoWorkersShareOneJobWithoutRecordingAnItemTwice) {
  const std::string url = fresh_pg_database("osprey_jobs_two_workers");
  if (url.empty()) GTEST_SKIP() << "OSPREY_TEST_PG_URL is not set";
  TempDir dir;
  const std::string results = dir.path() + "/results";  // the shared results volume
  auto start = [&](const std::string& role) {
    return OspreyProcess::start(
        {.args = {"--store-url", url, "--role", role, "--set", "jobs.results_dir=" + results,
                  "--set", "jobs.poll_ms=50", "--set", "jobs.claim_batch=64"}});
  };
  auto api = start("api");
  ASSERT_NE(api, nullptr);
  auto worker_a = start("worker");
  auto worker_b = start("worker");
  ASSERT_NE(worker_a, nullptr);
  ASSERT_NE(worker_b, nullptr);

  json job =
      submit_job(*api, {{"workload", "noop"}, {"spec", {{"count", 10000}, {"jitter_ms", 1}}}});
  ASSERT_TRUE(job.is_object());
  const std::int64_t id = job["id"];
  json done = wait_finished(*api, id, 300s);
  ASSERT_EQ(done["state"], "succeeded") << done.dump();

  auto lines = job_results(*api, id);
  EXPECT_EQ(lines.size(), 10000u);
  std::set<std::string> keys;
  for (const json& line : lines) {
    keys.insert(line["key"].get<std::string>());
    EXPECT_EQ(line["attempts"], 1) << line.dump();
  }
  EXPECT_EQ(keys.size(), 10000u);

  // Each worker's own count of the results it recorded: both took part, and together they
  // recorded every item exactly once (a settlement from a lost lease would count as "lost").
  double recorded = 0;
  for (auto* w : {worker_a.get(), worker_b.get()}) {
    const std::string text = w->request("GET", "/metrics").body;
    const double ok =
        metric_value(text, "osprey_job_items_total", {{"workload", "noop"}, {"outcome", "done"}});
    const double lost =
        metric_value(text, "osprey_job_items_total", {{"workload", "noop"}, {"outcome", "lost"}});
    EXPECT_GT(ok, 0) << "a worker processed nothing";
    recorded += ok - std::max(0.0, lost);
  }
  EXPECT_EQ(recorded, 10000);
}

}  // namespace
}  // namespace osprey::testing
