#pragma once
// finalize_job: turns a drained job (no pending item) into its output directory
// (<results_dir>/<job id>/: results.jsonl, manifest.json, _SUCCESS; see results_writer.h) and
// then records its final state in the store. Safe to repeat after a crash at any step: the
// files are rewritten from the store and _SUCCESS is written before the state is. Blocking.
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "jobs/results_writer.h"
#include "jobs/workload_registry.h"
#include "store/store.h"

namespace osprey::jobs {

struct FinalizeOptions {
  std::string results_dir;
  std::uint64_t min_free_bytes = 0;
  FreeSpaceProbe free_space = statvfs_free_bytes;
};

// The job's output directory.
std::string job_results_dir(const std::string& results_dir, std::int64_t job_id);

// The final state finish_job will record for these counts (documented in store.h).
store::JobState final_state(const store::Job& job);

// Returns the finished job; nullopt when there is nothing to do yet (job unknown or items still
// pending). kInsufficientStorage when the disk is below the floor: the job is paused with that
// message and nothing is written; call again later.
Result<std::optional<store::Job>> finalize_job(store::Store& store,
                                               const WorkloadRegistry& workloads,
                                               const FinalizeOptions& options, std::int64_t job_id);

}  // namespace osprey::jobs
