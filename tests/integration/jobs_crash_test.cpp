// Crash test: a 2,000-item noop job is running when the server gets `kill -9`; after a restart on
// the same store the job completes with exactly 2,000 result lines, each key once, and _SUCCESS.
// SQLite always; PostgreSQL too when OSPREY_TEST_PG_URL names a database.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
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

void crash_and_recover(const std::vector<std::string>& store_args) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::vector<std::string> args = {"--set", "jobs.poll_ms=50",      "--set", "jobs.lease_ms=1500",
                                   "--set", "jobs.worker_threads=4"};
  args.insert(args.end(), store_args.begin(), store_args.end());
  std::int64_t id = 0;
  std::string admin_key;  // printed by the first start only
  {
    auto server = OspreyProcess::start({.args = args, .data_dir = data});
    ASSERT_NE(server, nullptr);
    admin_key = server->admin_key();
    json job =
        submit_job(*server, {{"workload", "noop"}, {"spec", {{"count", 2000}, {"jitter_ms", 4}}}});
    ASSERT_TRUE(job.is_object());
    id = job["id"];
    // Kill it mid-run: some items done, most not.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    json view;
    while (std::chrono::steady_clock::now() < deadline) {
      view = get_job(*server, id);
      if (view.is_object() && view["counts"]["done"].get<int>() >= 200) break;
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_LT(view["counts"]["done"].get<int>(), 2000) << "the job finished before the crash";
    server->signal(SIGKILL);
    ASSERT_EQ(server->wait_exit(10s), 128 + SIGKILL);
  }
  auto restarted = OspreyProcess::start({.args = args, .data_dir = data, .admin_key = admin_key});
  ASSERT_NE(restarted, nullptr);
  json done = wait_finished(*restarted, id, 120s);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["counts"]["done"], 2000);

  auto lines = job_results(*restarted, id);
  EXPECT_EQ(lines.size(), 2000u);
  std::set<std::string> keys;
  for (const json& line : lines) keys.insert(line["key"].get<std::string>());
  EXPECT_EQ(keys.size(), 2000u) << "a key appears more than once";
  EXPECT_TRUE(fs::exists(fs::path(data) / "jobs" / std::to_string(id) / "_SUCCESS"));
}

TEST(JobsCrash, SqliteJobCompletesAfterKill9) { crash_and_recover({}); }

TEST(JobsCrash, PostgresJobCompletesAfterKill9) {
  const std::string url = fresh_pg_database("osprey_jobs_crash");
  if (url.empty()) GTEST_SKIP() << "OSPREY_TEST_PG_URL is not set";
  crash_and_recover({"--store-url", url});
}

}  // namespace
}  // namespace osprey::testing
