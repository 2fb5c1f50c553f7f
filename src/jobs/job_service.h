#pragma once
// JobService: what the /v1/jobs API does, as blocking calls scoped to the calling tenant (run
// them on the worker pool). Submission validates and plans the job through its workload,
// honours Idempotency-Key (same key + same body → the same job; different body → kConflict),
// applies the tenant's running-jobs quota (an over-quota job is created held and starts when a
// slot frees) and wakes the engine. Thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/principal.h"
#include "jobs/jobs_config.h"
#include "jobs/jobs_metrics.h"
#include "jobs/workload_registry.h"
#include "store/store.h"

namespace osprey::jobs {

struct SubmittedJob {
  store::Job job;
  bool created = false;  // false: an earlier request with the same Idempotency-Key made it
};

struct JobListQuery {
  std::string state;     // "" = any
  std::string workload;  // "" = any
  std::string tag;       // "key=value" (or "key:value"); "" = any
  int limit = 100;
  std::optional<std::int64_t> before_id;
};

struct DeadLetterPage {
  std::vector<store::JobItem> items;
  bool has_more = false;
};

class JobService {
 public:
  // `on_new_work` wakes the engine (and the drivers: it is called for driver-held jobs too);
  // `on_drained` asks it to finalize a job now (also after a cancel). Both may be empty when no
  // engine runs in this process.
  JobService(store::Store& store, const WorkloadRegistry& workloads, const JobsConfig& config,
             JobsMetrics& metrics, std::function<void()> on_new_work,
             std::function<void(std::int64_t)> on_drained);

  Result<SubmittedJob> submit(const gateway::Principal& who, std::string_view body,
                              std::string_view idempotency_key);
  Result<store::Job> get(const gateway::Principal& who, std::int64_t job_id);
  Result<std::vector<store::Job>> list(const gateway::Principal& who, const JobListQuery& query);
  Result<store::Job> cancel(const gateway::Principal& who, std::int64_t job_id);
  // Returns the job after the redrive and how many dead items went back to ready.
  Result<std::pair<store::Job, std::int64_t>> redrive(const gateway::Principal& who,
                                                      std::int64_t job_id);
  Result<DeadLetterPage> dead_letters(const gateway::Principal& who, std::int64_t job_id,
                                      std::int64_t after_id, int limit);
  // The job's results file once _SUCCESS is there; kConflict while the job is not finished.
  Result<std::string> results_file(const gateway::Principal& who, std::int64_t job_id);

 private:
  Result<store::Job> owned_job(const gateway::Principal& who, std::int64_t job_id);

  store::Store& store_;
  const WorkloadRegistry& workloads_;
  const JobsConfig& config_;
  JobsMetrics& metrics_;
  std::function<void()> on_new_work_;
  std::function<void(std::int64_t)> on_drained_;
};

// The API view of a job: state, counts {total, done, failed, dead, running, ...}, percent, ETA,
// cost, timings. `now` is for the ETA.
nlohmann::json job_view(const store::Job& job, std::chrono::system_clock::time_point now);

// store priority <-> API name: high 2, normal 1, low 0.
int priority_value(gateway::PriorityClass priority);
std::string_view priority_label(int priority);

}  // namespace osprey::jobs
