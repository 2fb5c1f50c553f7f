#pragma once
// Store: Osprey's durable state behind typed operations (never SQL strings at the boundary).
// Backends: SQLite (embedded default) and PostgreSQL (scale-out); both pass the conformance
// suite in tests/unit/store/. Every method blocks: call it from a WorkerPool thread, never
// from an I/O thread. Implementations are thread-safe.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/audit_chain.h"
#include "core/result.h"
#include "store/experiment_records.h"
#include "store/file_records.h"
#include "store/job_records.h"
#include "store/tenancy_records.h"

namespace osprey::store {

struct StoreOptions {
  // "sqlite:<path>" or "postgres://..." / "postgresql://..." (libpq connection URI).
  std::string url;
  int busy_timeout_ms = 5000;  // SQLite: how long a writer waits for the lock
  int pool_size = 4;           // read connections (SQLite) / connections (PostgreSQL)
  // PostgreSQL: how long a call waits for a free pooled connection before failing.
  int acquire_timeout_ms = 5000;
};

struct MigrationInfo {
  int version = 0;
  std::string name;
};

// A dedicated wake-up channel (PostgreSQL: LISTEN on its own connection; SQLite: in-process
// signal from the same Store). Thread-safe: one thread waits, any thread may wake() it.
class StoreListener {
 public:
  virtual ~StoreListener() = default;
  // Blocks up to `timeout`; true if a notification arrived (several may be folded into one),
  // false on timeout or wake(). Use as a hint only and poll anyway: notifications are lost
  // while the connection is down. An error (server unreachable) also comes after the timeout,
  // so a loop around this call never spins.
  virtual Result<bool> wait_for_notify(std::chrono::milliseconds timeout) = 0;
  // Makes a waiting (or the next) wait_for_notify return at once, e.g. at shutdown.
  virtual void wake() = 0;
};

class Store {
 public:
  // The channel the store notifies whenever items become claimable (job created or resumed,
  // redrive, lease reclaimed, retry due is NOT notified: poll for it).
  static constexpr std::string_view kJobsChannel = "osprey_jobs";

  virtual ~Store() = default;

  // "sqlite" or "postgres".
  virtual std::string_view backend() const = 0;

  // Applies every pending migration in order, each in its own transaction. Idempotent: safe to
  // run on every start and concurrently from several processes.
  virtual Status migrate() = 0;
  // Highest applied migration version (0 for an empty database).
  virtual Result<int> schema_version() = 0;
  // Migrations known to this binary, in order.
  virtual std::vector<MigrationInfo> migrations() const = 0;

  // Cheap round trip for /readyz.
  virtual Status ping() = 0;
  // Verifies the on-disk structure (SQLite: PRAGMA integrity_check). Backends whose server owns
  // integrity (PostgreSQL) just check that it answers. Slow on big databases: not for /readyz.
  virtual Status check_integrity() { return ping(); }

  // Small durable key/value settings (instance id, first-start markers).
  virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual Status put_setting(std::string_view key, std::string_view value) = 0;
  // Sets `key` only if absent; returns true if this call set it.
  virtual Result<bool> put_setting_if_absent(std::string_view key, std::string_view value) = 0;
  // Settings whose key starts with `prefix`, in key order.
  virtual Result<std::vector<std::pair<std::string, std::string>>> list_settings(
      std::string_view prefix) = 0;

  // --- Tenants. Names are unique (kConflict); tags are a JSON object of strings
  // (kInvalidRequest otherwise). Unknown ids give kNotFound.
  virtual Result<Tenant> create_tenant(std::string_view name, std::string_view tags_json) = 0;
  virtual Result<std::optional<Tenant>> get_tenant(std::int64_t tenant_id) = 0;
  virtual Result<std::vector<Tenant>> list_tenants() = 0;  // by id
  virtual Status update_tenant_tags(std::int64_t tenant_id, std::string_view tags_json) = 0;
  // Also bumps the version of every key of the tenant, so replicas drop them from their caches.
  virtual Status disable_tenant(std::int64_t tenant_id) = 0;

  // --- API keys. The store never sees a key, only its hash and prefix (core/api_key.h).
  // kNotFound for an unknown tenant, kConflict for a hash already stored.
  virtual Result<ApiKeyInfo> create_api_key(const NewApiKey& key) = 0;
  // One indexed lookup; returns revoked/expired keys and disabled tenants as they are: the
  // caller decides. nullopt when no key has this hash.
  virtual Result<std::optional<AuthenticatedKey>> find_api_key_by_hash(std::string_view hash) = 0;
  virtual Result<std::vector<ApiKeyInfo>> list_api_keys(std::int64_t tenant_id) = 0;  // by id
  // Sets revoked_at (the first revocation time is kept) and bumps the key's version.
  virtual Status revoke_api_key(std::int64_t key_id) = 0;
  // Keys whose version is > `after_version`, by version, at most `limit`. Versions only grow
  // and are assigned in commit order, so a replica that polls with the highest version it has
  // seen never misses a change: revocation reaches it within one poll interval.
  virtual Result<std::vector<ApiKeyChange>> list_key_changes_since(std::int64_t after_version,
                                                                   int limit) = 0;

  // --- Usage ledger. One transaction per batch: all records are stored or none. Also keeps
  // the daily rollup (day, tenant, model) in the same transaction.
  virtual Status append_usage(std::span<const UsageRecord> records) = 0;
  // Sums over the daily rollup, so the cost is independent of the number of ledger rows.
  virtual Result<std::vector<UsageAggregate>> aggregate_usage(const UsageFilter& filter,
                                                              UsageGroupBy group_by) = 0;
  // Ledger cost of `tenant_id` in `month` ("YYYY-MM"), micro-USD.
  virtual Result<std::int64_t> month_spend(std::int64_t tenant_id, std::string_view month) = 0;

  // --- Budget reservations, per tenant and month ("YYYY-MM"), micro-USD. Atomic across
  // threads, processes and replicas: reserves `amount` only if spent + reserved + amount <=
  // limit, and returns whether it did.
  virtual Result<bool> reserve_spend(std::int64_t tenant_id, std::string_view month,
                                     std::int64_t amount_micros, std::int64_t limit_micros) = 0;
  // Releases a reservation and records what the call really cost.
  virtual Status settle_spend(std::int64_t tenant_id, std::string_view month,
                              std::int64_t reserved_micros, std::int64_t actual_micros) = 0;
  virtual Result<SpendCounter> get_spend(std::int64_t tenant_id, std::string_view month) = 0;

  // --- Audit log, append-only and hash-chained (core/audit_chain.h). The chain link is
  // computed inside the write transaction, so concurrent appends from any number of threads or
  // replicas still form one chain.
  virtual Result<AuditEntry> append_audit(const NewAuditEntry& entry) = 0;
  // Entries with seq >= from_seq, by seq, at most `limit`.
  virtual Result<std::vector<AuditEntry>> list_audit(std::int64_t from_seq, int limit) = 0;

  // --- Jobs and items (job_records.h). Methods taking `tenant_id` as std::optional scope the
  // call to that tenant (nullopt: any tenant, for admins and the engine); a job of another
  // tenant reads as kNotFound. All of them are safe from many threads and processes.

  // Creates the job and all its items in one transaction. With an idempotency key: the same
  // key and body_hash return the existing job (created = false); a different hash is
  // kConflict. Bad input (no items, duplicate or empty keys, bad JSON) is kInvalidRequest;
  // an unknown tenant kNotFound.
  virtual Result<CreatedJob> create_job(const NewJob& job) = 0;
  // With live counts.
  virtual Result<std::optional<Job>> get_job(std::optional<std::int64_t> tenant_id,
                                             std::int64_t job_id) = 0;
  virtual Result<std::vector<Job>> list_jobs(const JobFilter& filter) = 0;
  // Items of a job (results, dead letters, progress detail), by id. Not tenant-scoped: check
  // the job with get_job first.
  virtual Result<std::vector<JobItem>> list_items(const ItemFilter& filter) = 0;

  // Leases up to max_items ready items to request.worker_id for request.lease. Order: job
  // priority (higher first), then a per-tenant fair-share tag (start-time fair queueing: a
  // tenant's new job interleaves with other tenants' queued work instead of waiting behind
  // it), then age. Due retry_wait items become ready first. Marks their jobs running.
  virtual Result<std::vector<ClaimedItem>> claim_items(const ClaimRequest& request) = 0;
  // Pushes the lease expiry of still-held leases to now + lease; false for lost ones.
  virtual Result<std::vector<bool>> extend_leases(std::span<const ItemLease> leases,
                                                  std::chrono::milliseconds lease) = 0;
  // Applies outcomes in one transaction. A settlement whose lease was lost changes nothing
  // (applied = false), so each item's result is recorded once even if it ran twice.
  virtual Result<SettleResult> settle_items(std::span<const ItemSettlement> settlements) = 0;
  // Expired leases: back to ready (the attempt stays spent), or dead ("lease_expired") if it
  // was the last attempt. Counts the expirations on the job. Call periodically.
  virtual Result<ReclaimResult> reclaim_expired_leases(int limit) = 0;

  // No new claims from now on: ready, retry_wait and paused items become cancelled; leased
  // items may still settle. finish_job then records the job as cancelled.
  virtual Result<CancelResult> cancel_job(std::optional<std::int64_t> tenant_id,
                                          std::int64_t job_id) = 0;
  // Holds the job's ready and retry_wait items (paused) with a message, e.g. "disk below
  // floor"; resume_job releases them (a retry keeps its due time) and clears the message.
  virtual Status pause_job(std::int64_t job_id, std::string_view message) = 0;
  virtual Status resume_job(std::int64_t job_id) = 0;
  // Sets the job's status message without changing state ("" clears it).
  virtual Status set_job_message(std::int64_t job_id, std::string_view message) = 0;
  // --- Driver-held jobs: jobs whose items a driver (e.g. the native batch driver) runs instead
  // of the engine. Such a job is created paused (NewJob::paused) with the driver's status
  // message, so claim_items never takes its items; the driver leases the ones it has results
  // for with claim_held_items and records them with settle_items, or resume_job hands the rest
  // to the engine. A held lease that expires puts the item back to paused (the job is paused),
  // never to ready.
  //
  // Replaces the job's driver state (a JSON document, "" clears it) and marks a queued job
  // running (started_at = now). kNotFound for an unknown job.
  virtual Status set_job_driver_state(std::int64_t job_id, std::string_view state_json) = 0;
  // Leases those of `item_ids` that are paused items of `job_id` to `worker_id` (an attempt
  // each), while the job is paused and not cancelled; others are skipped (already settled,
  // cancelled, another job's). Marks a queued job running. By item id.
  virtual Result<std::vector<ClaimedItem>> claim_held_items(std::int64_t job_id,
                                                            std::span<const std::int64_t> item_ids,
                                                            std::string_view worker_id,
                                                            std::chrono::milliseconds lease) = 0;
  // Dead items of the job go back to ready with their attempts reset; a finished job goes back
  // to running. Returns how many items were redriven.
  virtual Result<std::int64_t> redrive_job(std::optional<std::int64_t> tenant_id,
                                           std::int64_t job_id) = 0;
  // Jobs not finished yet with no pending item (e.g. the engine crashed before finishing them).
  virtual Result<std::vector<std::int64_t>> list_drained_jobs(int limit) = 0;
  // Records the final state from the counts (cancel requested → cancelled; all done →
  // succeeded; none done → failed; else partially_succeeded), the cost and finished_at.
  // kConflict ("job has pending items") while items are pending; a finished job is returned
  // as it is.
  virtual Result<Job> finish_job(std::int64_t job_id) = 0;
  // Deletes finished jobs (and their items) with finished_at < `finished_before`, at most
  // `limit` jobs. Returns how many jobs were deleted.
  virtual Result<std::int64_t> purge_finished_jobs(std::string_view finished_before, int limit) = 0;
  virtual Result<QueueStats> queue_stats() = 0;

  // --- Maze experiments and their actions (experiment_records.h). Methods taking `tenant_id`
  // as std::optional scope the call like the job methods (another tenant's experiment reads as
  // kNotFound / nullopt). Bad input is kInvalidRequest naming the field.

  // Creates all of them in one transaction (a sweep creates many); their ids, in input order.
  // An unknown tenant is kNotFound.
  virtual Result<std::vector<std::int64_t>> create_experiments(
      std::span<const NewExperiment> experiments) = 0;
  // With its maze JSON and metrics.
  virtual Result<std::optional<Experiment>> get_experiment(std::optional<std::int64_t> tenant_id,
                                                           std::int64_t experiment_id) = 0;
  // The experiment a job item runs (what a workload's run(item) looks up).
  virtual Result<std::optional<Experiment>> find_experiment_by_item(std::int64_t job_id,
                                                                    std::string_view item_key) = 0;
  // Links an experiment to the job item that runs it (when the job is created after it).
  virtual Status set_experiment_job(std::int64_t experiment_id, std::int64_t job_id,
                                    std::string_view item_key) = 0;
  // Applies `update` (state, outcome, metrics; reset_actions deletes the recorded actions in
  // the same transaction) and returns the experiment as stored. kNotFound for an unknown id.
  virtual Result<Experiment> update_experiment(const ExperimentUpdate& update) = 0;
  // Newest first; maze_json is left empty (get_experiment has it).
  virtual Result<std::vector<Experiment>> list_experiments(const ExperimentFilter& filter) = 0;
  // Sums of the metrics grouped by model and/or model_config fields, over the filtered
  // experiments.
  virtual Result<std::vector<ExperimentAggregate>> compare_experiments(
      const ExperimentCompare& compare) = 0;
  // Hides (or shows again) an experiment from list_experiments unless include_archived.
  virtual Status archive_experiment(std::optional<std::int64_t> tenant_id,
                                    std::int64_t experiment_id, bool archived) = 0;
  // Deletes the experiment and all its actions in one transaction.
  virtual Status delete_experiment(std::optional<std::int64_t> tenant_id,
                                   std::int64_t experiment_id) = 0;
  // Appends a batch of actions (any number of experiments, up to 100,000 rows) in one
  // transaction: PostgreSQL COPY, SQLite one prepared INSERT. A (experiment, step) already
  // stored keeps its row (a replayed batch changes nothing); returns how many rows were new.
  // Not tenant-scoped (the engine writes); an unknown experiment is kNotFound.
  virtual Result<std::int64_t> append_actions(std::span<const ExperimentAction> actions) = 0;
  // Actions with step_number > after_step, by step, at most `limit` (1..100,000): 0 for the
  // whole run, the last step seen for live viewing. kNotFound for an unknown experiment.
  virtual Result<std::vector<ExperimentAction>> list_actions(std::optional<std::int64_t> tenant_id,
                                                             std::int64_t experiment_id,
                                                             std::int64_t after_step,
                                                             int limit) = 0;

  // --- Files (file_records.h): who owns which stored file. Methods taking `tenant_id` as
  // std::optional scope the call like the job methods (another tenant's file reads as absent).

  // Inserts the file, or replaces the metadata of the same id when it is the same tenant's
  // (a rewritten output file); kConflict when the id belongs to another tenant. Bad input
  // (empty or over-long id, purpose or filename; negative size; unknown tenant) is
  // kInvalidRequest (kNotFound for the tenant).
  virtual Status put_file(const FileRecord& file) = 0;
  virtual Result<std::optional<FileRecord>> get_file(std::optional<std::int64_t> tenant_id,
                                                     std::string_view file_id) = 0;
  virtual Result<std::vector<FileRecord>> list_files(const FileFilter& filter) = 0;
  // True if a file was deleted.
  virtual Result<bool> delete_file(std::optional<std::int64_t> tenant_id,
                                   std::string_view file_id) = 0;

  // A dedicated listener on `channel` (see StoreListener), and a notification on it.
  virtual Result<std::unique_ptr<StoreListener>> listen(std::string_view channel) = 0;
  virtual Status notify(std::string_view channel) = 0;

  // Flushes and releases resources (SQLite: WAL checkpoint). Further calls fail.
  virtual Status close() = 0;
};

// Opens the backend named by options.url. Does not migrate.
Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

}  // namespace osprey::store
