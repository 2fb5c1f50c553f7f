#pragma once
// Records of the job tables (jobs, job_items) as they cross the Store boundary. A job is a
// tenant's unit of submission (a workload, its spec, priority, tags); its items are the units
// of work the engine claims, runs and settles. Timestamps are ISO-8601 UTC text with
// milliseconds, like the tenancy records; durations are milliseconds. The store holds no
// retry policy: the engine decides backoff and passes the delay, the store keeps the states.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osprey::store {

// queued → running → succeeded | partially_succeeded | failed | cancelled. A job becomes
// running on its first claim and finished only through finish_job.
enum class JobState { kQueued, kRunning, kSucceeded, kPartiallySucceeded, kFailed, kCancelled };

// ready → leased → done | retry_wait (→ ready) | dead. paused: held by pause_job (or created
// paused), not claimable until resume_job. cancelled: never claimed, the job was cancelled.
enum class ItemState { kReady, kLeased, kRetryWait, kDone, kDead, kPaused, kCancelled };

std::string_view job_state_name(JobState state);    // "queued", "partially_succeeded", ...
std::string_view item_state_name(ItemState state);  // "ready", "retry_wait", ...
std::optional<JobState> parse_job_state(std::string_view name);
std::optional<ItemState> parse_item_state(std::string_view name);
inline bool is_finished(JobState state) {
  return state != JobState::kQueued && state != JobState::kRunning;
}

// Items per state. `running` is leased; `failed` counts items whose last attempt failed
// (retry_wait + dead). `pending` is what still has to settle before the job can finish.
struct JobCounts {
  std::int64_t total = 0;
  std::int64_t ready = 0;
  std::int64_t running = 0;
  std::int64_t retry_wait = 0;
  std::int64_t done = 0;
  std::int64_t dead = 0;
  std::int64_t paused = 0;
  std::int64_t cancelled = 0;
  std::int64_t failed() const { return retry_wait + dead; }
  std::int64_t pending() const { return ready + running + retry_wait + paused; }

  bool operator==(const JobCounts&) const = default;
};

struct NewJobItem {
  std::string key;                // unique within the job; 1..512 bytes
  std::string input_json = "{}";  // the workload's input for this item (any JSON value)
};

struct NewJob {
  std::int64_t tenant_id = 0;
  std::string workload;  // 1..200 bytes
  std::string spec_json = "{}";
  // Larger runs first (the engine maps PriorityClass: high 2, normal 1, low 0). 0..9.
  int priority = 1;
  std::string tags_json = "{}";  // JSON object of strings, like tenant tags
  // The resource the workload's items consume (e.g. the model), for concurrency limits.
  // "" = none.
  std::string resource;
  // Claims an item may take (first run + retries) before a lease expiry dead-letters it.
  // The engine's own retry decisions use the same number. >= 1.
  int max_attempts = 3;
  // Items start paused: the job waits until resume_job (used for per-tenant job quotas).
  bool paused = false;
  // Optional per-tenant idempotency key and the caller's hash of the request body: the same
  // key with the same hash returns the existing job; a different hash is kConflict.
  std::string idempotency_key;
  std::string body_hash;
  std::vector<NewJobItem> items;  // at least one; keys unique
};

struct Job {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string workload;
  std::string spec_json;
  int priority = 1;
  std::string tags_json;
  std::string resource;
  int max_attempts = 3;
  JobState state = JobState::kQueued;
  bool cancel_requested = false;
  bool paused = false;
  std::string idempotency_key;
  std::string body_hash;
  std::string status_message;  // why the job is paused / failed, set by the engine; "" if none
  JobCounts counts;
  std::int64_t cost_micros = 0;        // sum over done items
  std::int64_t lease_expirations = 0;  // leases of this job's items that expired
  // JSON document owned by the driver that runs a driver-held job (set_job_driver_state), e.g.
  // the native batch driver's provider jobs and their states; "" for engine-run jobs.
  std::string driver_state;
  std::string created_at;
  std::optional<std::string> started_at;   // first claim
  std::optional<std::string> finished_at;  // finish_job
};

struct CreatedJob {
  Job job;
  bool created = false;  // false: an earlier request with the same idempotency key made it
};

// list_jobs: newest first (by id), keyset-paged with before_id.
struct JobFilter {
  std::optional<std::int64_t> tenant_id;  // nullopt: all tenants (admin)
  std::optional<JobState> state;
  std::string workload;  // "" = any
  std::string tag_key;   // with tag_value: jobs whose tags have key=value
  std::string tag_value;
  std::optional<std::int64_t> before_id;  // ids < before_id
  int limit = 100;                        // 1..1000
};

struct JobItem {
  std::int64_t id = 0;
  std::int64_t job_id = 0;
  std::string key;
  std::string input_json;
  ItemState state = ItemState::kReady;
  int attempts = 0;  // attempts spent (a rate-limited deferral gives its attempt back)
  std::string next_run_at;
  std::optional<std::string> lease_owner;
  std::optional<std::string> lease_expires_at;
  std::string last_error_code;  // "" if none
  std::string last_error;
  std::optional<std::string> result_json;  // done items only
  std::int64_t cost_micros = 0;
  std::optional<std::string> finished_at;  // done or dead
};

// list_items: by item id, keyset-paged with after_id.
struct ItemFilter {
  std::int64_t job_id = 0;
  std::optional<ItemState> state;
  std::int64_t after_id = 0;
  int limit = 1000;  // 1..10000
};

// A cap on how many items this claim may take for one resource or one tenant. The engine
// computes them from its limits minus what is in flight (queue_stats); 0 excludes the key.
struct ResourceCap {
  std::string resource;
  int max_items = 0;
};
struct TenantCap {
  std::int64_t tenant_id = 0;
  int max_items = 0;
};

struct ClaimRequest {
  std::string worker_id;  // lease owner, e.g. "host:pid:thread"
  int max_items = 64;     // 1..10000
  std::chrono::milliseconds lease{30000};
  std::vector<ResourceCap> resource_caps;  // resources not listed are not limited
  std::vector<TenantCap> tenant_caps;      // tenants not listed are not limited
};

// Identifies one claim of one item. lease_seq grows with every claim of the item, so a
// settlement from an older claim (its lease expired and someone else claimed it) is refused.
struct ItemLease {
  std::int64_t item_id = 0;
  std::int64_t lease_seq = 0;
};

struct ClaimedItem {
  ItemLease lease;
  std::int64_t job_id = 0;
  std::int64_t tenant_id = 0;
  std::string workload;
  std::string resource;
  int priority = 1;
  std::string key;
  std::string input_json;
  int attempt = 1;  // this run's number, 1-based
  int max_attempts = 3;
  std::string lease_expires_at;
};

enum class ItemOutcome {
  kDone,         // result_json recorded, cost added
  kRetry,        // retry_wait for retry_delay; the attempt is spent
  kRateLimited,  // retry_wait for retry_delay; the attempt is given back
  kDead,         // dead letter with the error
};

struct ItemSettlement {
  ItemLease lease;
  ItemOutcome outcome = ItemOutcome::kDone;
  std::string result_json;  // kDone: any JSON value (or a reference to one)
  std::int64_t cost_micros = 0;
  std::string error_code;  // kRetry, kRateLimited, kDead: stable code, e.g. "upstream_timeout"
  std::string error_message;
  std::chrono::milliseconds retry_delay{0};  // kRetry, kRateLimited
};

struct SettleResult {
  // Per settlement, in order: true if applied; false if the lease was lost (the item was
  // reclaimed, claimed again, or already settled), in which case nothing changed.
  std::vector<bool> applied;
  // Jobs that have no pending item left after this call: ready for finalize + finish_job.
  std::vector<std::int64_t> drained_jobs;
};

struct ReclaimResult {
  std::int64_t reclaimed = 0;      // expired leases made ready again
  std::int64_t dead_lettered = 0;  // expired leases on their last attempt
  std::vector<std::int64_t> drained_jobs;
};

struct CancelResult {
  Job job;
  bool drained = false;  // no leased item left: the engine can finalize right away
};

// Point-in-time view for quotas and metrics.
struct QueueStats {
  struct Priority {
    int priority = 0;
    std::int64_t ready = 0;
    std::optional<std::string> oldest_ready_at;  // created_at of the oldest ready item
  };
  struct Resource {
    std::string resource;
    std::int64_t leased = 0;
  };
  struct Tenant {
    std::int64_t tenant_id = 0;
    std::int64_t active_jobs = 0;   // queued or running, not paused
    std::int64_t running_jobs = 0;  // running
    std::int64_t leased_items = 0;
    std::int64_t ready_items = 0;
  };
  std::vector<Priority> priorities;    // by priority, descending
  std::vector<Resource> resources;     // leased items per resource, by name
  std::vector<Tenant> tenants;         // tenants with active jobs, by id
  std::int64_t lease_expirations = 0;  // total over all jobs still stored
};

}  // namespace osprey::store
