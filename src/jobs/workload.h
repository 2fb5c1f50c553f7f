#pragma once
// Workload: one kind of batch work the job engine runs. A workload is built once from validated
// configuration and is const afterwards, so one instance serves every worker thread at once; the
// state of one item lives in the call. run() blocks (engine worker threads call it, never an I/O
// thread) and never throws: failures are outcomes.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "gateway/principal.h"

namespace osprey::jobs {

// One unit of work as plan() produces it. `key` is unique within its job and stable, so results
// and retries refer to the same item across restarts.
struct PlannedItem {
  std::string key;
  nlohmann::json input;
};

// How one attempt ended. The engine turns it into the item's next state (retry_decision.h).
enum class Outcome {
  kSuccess,      // output recorded, item done
  kRetryable,    // try again after a backoff, spending an attempt
  kPermanent,    // retrying cannot help: dead letter at once
  kRateLimited,  // upstream said "later": deferred without spending an attempt
};

std::string_view outcome_name(Outcome outcome);

struct ItemResult {
  Outcome outcome = Outcome::kSuccess;
  nlohmann::json output;         // kSuccess: the item's result
  std::string error_code;        // otherwise: a stable short code ("timeout", "exit_3", ...)
  std::string error_message;     // and a human-readable message (stderr tail for exec)
  std::int64_t cost_micros = 0;  // what the attempt cost, micro-USD
  std::optional<std::chrono::milliseconds> retry_after;  // kRateLimited / kRetryable hint

  static ItemResult success(nlohmann::json output, std::int64_t cost_micros = 0);
  static ItemResult failure(Outcome outcome, std::string code, std::string message);
};

// The item handed to run().
struct WorkItem {
  std::int64_t job_id = 0;
  std::int64_t tenant_id = 0;  // the job's tenant (what a ChatCaller charges)
  std::int64_t item_id = 0;
  std::string key;
  nlohmann::json input;
  const nlohmann::json* spec = nullptr;  // the job's spec; never null during run()
  int attempt = 1;                       // 1 for the first attempt
};

// Per-call context: when to give up, and a flag the engine sets on shutdown.
struct RunContext {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* stopping = nullptr;  // may be null
  bool should_stop() const { return stopping != nullptr && stopping->load(); }
};

// What finalize() sees of a finished job.
struct JobOutcome {
  std::int64_t job_id = 0;
  std::int64_t tenant_id = 0;  // the job's owner
  std::int64_t total = 0, done = 0, dead = 0, cancelled = 0;
};

class Workload {
 public:
  virtual ~Workload() = default;

  virtual std::string_view name() const = 0;
  // Rejects a bad spec with kInvalidRequest and a message naming the field.
  virtual Status validate(const nlohmann::json& spec) const = 0;
  // The job's items. REQUIRES: validate(spec) succeeded.
  virtual Result<std::vector<PlannedItem>> plan(const nlohmann::json& spec) const = 0;
  // The items as the submitting caller may have them: a workload whose inputs are the tenant's
  // (an uploaded file) or whose items depend on the key's plan (allowed models, the key that
  // pays) overrides this. JobService calls it at submission. Default: plan(spec).
  virtual Result<std::vector<PlannedItem>> plan_for(const nlohmann::json& spec,
                                                    const gateway::Principal& who) const {
    (void)who;
    return plan(spec);
  }
  // The resource the job's items compete for (e.g. the model they call), limited by
  // jobs.resources.<key>.max_concurrent; empty when there is none.
  virtual std::string resource_key(const nlohmann::json& spec) const = 0;
  virtual ItemResult run(const WorkItem& item, const RunContext& ctx) const = 0;
  // Non-empty when a driver, not the engine, runs this spec's items (e.g. "native_batch" for a
  // batch job in native or auto mode): the job is created held (paused, status message
  // "<driver>: ...") so the engine never claims its items until the driver hands them back
  // (store.h, driver-held jobs). The running-jobs quota does not hold such a job.
  virtual std::string driver_hold(const nlohmann::json& spec) const {
    (void)spec;
    return {};
  }
  // Extra fields for manifest.json once every item has ended (default: none).
  virtual nlohmann::json finalize(const JobOutcome& job) const {
    (void)job;
    return nlohmann::json::object();
  }
};

// The items of a spec that lists them explicitly: {"items":[{"key":"a","input":{...}}, ...]}.
// Keys must be non-empty, unique strings; at most `max_items`.
Result<std::vector<PlannedItem>> explicit_items(const nlohmann::json& spec, std::size_t max_items);

}  // namespace osprey::jobs
