#include "jobs/jobs_config.h"

#include <gtest/gtest.h>

#include "support/json_mutator.h"

namespace osprey::jobs {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(JobsConfig, DefaultsWithoutASection) {
  auto c = parse_jobs_config(json::object(), "/data");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->results_dir, "/data/jobs");
  EXPECT_EQ(c->max_attempts, 3);
  EXPECT_EQ(c->lease, 30000ms);
  EXPECT_TRUE(c->resource_limits.empty());
}

// A value for every key of the jobs section (and the exec workload's runners).
json every_key() {
  return {{"jobs",
           {{"worker_threads", 8},
            {"claim_batch", 64},
            {"lease_ms", 5000},
            {"poll_ms", 50},
            {"max_attempts", 5},
            {"retry_base_delay_ms", 10},
            {"retry_max_delay_ms", 100},
            {"results_dir", "/out"},
            {"min_free_bytes", 1},
            {"retention_s", 60},
            {"max_items_per_job", 10},
            {"max_running_jobs_per_tenant", 2},
            {"max_items_in_flight_per_tenant", 50},
            {"tenants", {{"acme", {{"max_items_in_flight", 7}}}}},
            {"resources", {{"gpt-4o", {{"max_concurrent", 3}}}}}}},
          {"workloads",
           {{"exec",
             {{"runners", {{"py", {{"command", {"python3", "run.py"}}, {"timeout_ms", 900}}}}}}}}}};
}

TEST(JobsConfig, ReadsEveryKey) {
  const json sections = every_key();
  auto c = parse_jobs_config(sections, "/data");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->worker_threads, 8);
  EXPECT_EQ(c->retry.max_attempts, 5);
  EXPECT_EQ(c->retry.max_delay, 100ms);
  EXPECT_EQ(c->results_dir, "/out");
  EXPECT_EQ(c->retention, 60s);
  EXPECT_EQ(c->tenant_quotas.at("acme").max_items_in_flight, 7);
  EXPECT_EQ(c->tenant_quotas.at("acme").max_running_jobs, 2);  // inherited default
  EXPECT_EQ(c->resource_limits.at("gpt-4o"), 3);
  EXPECT_EQ(c->exec_runners.at("py").command.size(), 2u);
  EXPECT_EQ(c->exec_runners.at("py").timeout, 900ms);
}

TEST(JobsConfig, ErrorsNameTheKey) {
  auto bad = [](const json& sections) {
    auto c = parse_jobs_config(sections, "/d");
    return c.ok() ? std::string("ok") : c.error().message;
  };
  EXPECT_EQ(bad({{"jobs", {{"lease_ms", 5}}}}),
            "config: jobs.lease_ms: must be an integer in [1000, 3600000]");
  EXPECT_EQ(bad({{"jobs", {{"leese_ms", 5000}}}}), "config: jobs.leese_ms: unknown key");
  EXPECT_EQ(bad({{"jobs", {{"resources", {{"m", {{"max_concurrent", 0}}}}}}}}),
            "config: jobs.resources.m.max_concurrent: must be an integer in [1, 1000000]");
  EXPECT_EQ(bad({{"jobs", {{"retry_base_delay_ms", 500}, {"retry_max_delay_ms", 100}}}}),
            "config: jobs.retry_max_delay_ms: must be >= jobs.retry_base_delay_ms");
  EXPECT_EQ(bad({{"workloads", {{"exec", {{"runners", {{"x", {{"timeout_ms", 5}}}}}}}}}}),
            "config: workloads.exec.runners.x.command: is required");
  EXPECT_EQ(bad({{"workloads", {{"exec", {{"runners", {{"x", {{"command", "sh"}}}}}}}}}}),
            "config: workloads.exec.runners.x.command: must be a non-empty list of strings");
}

// Any value of another type, out of range, missing or repeated is refused with an error naming
// it, never by an exception.
TEST(JobsConfig, EveryWrongShapeIsAnErrorNotAnException) {
  int refused = 0;
  osprey::testing::for_each_json_mutation(every_key(), 23, 2000, [&](const json& sections) {
    Result<JobsConfig> c = Error{ErrorCode::kInternal, "not parsed"};
    EXPECT_NO_THROW(c = parse_jobs_config(sections, "/data")) << sections.dump();
    if (!c.ok()) {
      ++refused;
      EXPECT_EQ(c.error().code, ErrorCode::kConfigInvalid) << sections.dump();
    }
  });
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace osprey::jobs
