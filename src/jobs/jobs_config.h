#pragma once
// JobsConfig: the `jobs` section (engine, quotas, limits, results) and the exec runners of the
// `workloads` section, parsed and validated once at start-up. Errors are kConfigInvalid with one
// line naming the key. Plain values; see docs/jobs.md for every key.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/retry_policy.h"
#include "jobs/exec_workload.h"

namespace osprey::jobs {

struct TenantQuota {
  int max_running_jobs = 0;     // jobs queued or running at once; 0 = unlimited
  int max_items_in_flight = 0;  // items leased at once; 0 = unlimited
};

struct JobsConfig {
  int worker_threads = 4;  // threads that run items in this process (role all|worker)
  int claim_batch = 256;   // items claimed per store round trip
  std::chrono::milliseconds lease{30000};
  std::chrono::milliseconds poll_interval{250};  // claim poll when no wake-up arrives
  int max_attempts = 3;                          // default per job; a job may ask for fewer
  RetryPolicy retry{.max_attempts = 3,
                    .base_delay = std::chrono::milliseconds(1000),
                    .max_delay = std::chrono::milliseconds(60000),
                    .total_deadline = std::chrono::hours(24 * 365)};
  std::string results_dir;  // "" = <data_dir>/jobs
  std::uint64_t min_free_bytes = 100ull * 1024 * 1024;
  std::chrono::seconds retention{7 * 24 * 3600};
  std::size_t max_items_per_job = 1'000'000;
  TenantQuota default_quota;
  std::map<std::string, TenantQuota> tenant_quotas;  // by tenant name
  std::map<std::string, int> resource_limits;        // resource key -> max concurrent items
  std::map<std::string, ExecRunner> exec_runners;    // workloads.exec.runners
};

// `sections` is Config::sections; `data_dir` resolves the default results_dir.
Result<JobsConfig> parse_jobs_config(const nlohmann::json& sections, const std::string& data_dir);

}  // namespace osprey::jobs
