#pragma once
// PostgresStore: the scale-out Store backend on PostgreSQL through libpq.
// Thread-safe. Holds a pool of `pool_size` connections: a call waits up to
// `acquire_timeout_ms` for a free one, and a connection found broken is replaced on the next
// acquire. Many processes may share one database; migrate() serializes them with a
// transaction-scoped advisory lock.
#include <chrono>
#include <memory>
#include <shared_mutex>
#include <string>

#include "store/connection_pool.h"
#include "store/migration.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace osprey::store {

class PostgresStore final : public Store {
 public:
  // Connects one pooled connection right away so a wrong URL fails here; the others connect
  // on first use.
  static Result<std::unique_ptr<PostgresStore>> open(const StoreOptions& options);
  ~PostgresStore() override;

  std::string_view backend() const override { return "postgres"; }
  Status migrate() override;
  Result<int> schema_version() override;
  std::vector<MigrationInfo> migrations() const override;
  Status ping() override;
  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  Status put_setting(std::string_view key, std::string_view value) override;
  Result<bool> put_setting_if_absent(std::string_view key, std::string_view value) override;
  Result<std::vector<std::pair<std::string, std::string>>> list_settings(
      std::string_view prefix) override;
  // Tenancy (postgres_tenancy.cpp and their usage/audit siblings).
  Result<Tenant> create_tenant(std::string_view name, std::string_view tags_json) override;
  Result<std::optional<Tenant>> get_tenant(std::int64_t tenant_id) override;
  Result<std::vector<Tenant>> list_tenants() override;
  Status update_tenant_tags(std::int64_t tenant_id, std::string_view tags_json) override;
  Status disable_tenant(std::int64_t tenant_id) override;
  Result<ApiKeyInfo> create_api_key(const NewApiKey& key) override;
  Result<std::optional<AuthenticatedKey>> find_api_key_by_hash(std::string_view hash) override;
  Result<std::vector<ApiKeyInfo>> list_api_keys(std::int64_t tenant_id) override;
  Status revoke_api_key(std::int64_t key_id) override;
  Result<std::vector<ApiKeyChange>> list_key_changes_since(std::int64_t after_version,
                                                           int limit) override;
  Status append_usage(std::span<const UsageRecord> records) override;
  Result<std::vector<UsageAggregate>> aggregate_usage(const UsageFilter& filter,
                                                      UsageGroupBy group_by) override;
  Result<std::int64_t> month_spend(std::int64_t tenant_id, std::string_view month) override;
  Result<bool> reserve_spend(std::int64_t tenant_id, std::string_view month,
                             std::int64_t amount_micros, std::int64_t limit_micros) override;
  Status settle_spend(std::int64_t tenant_id, std::string_view month, std::int64_t reserved_micros,
                      std::int64_t actual_micros) override;
  Result<SpendCounter> get_spend(std::int64_t tenant_id, std::string_view month) override;
  Result<AuditEntry> append_audit(const NewAuditEntry& entry) override;
  Result<std::vector<AuditEntry>> list_audit(std::int64_t from_seq, int limit) override;
  // Jobs and items (*_jobs.cpp).
  Result<CreatedJob> create_job(const NewJob& job) override;
  Result<std::optional<Job>> get_job(std::optional<std::int64_t> tenant_id,
                                     std::int64_t job_id) override;
  Result<std::vector<Job>> list_jobs(const JobFilter& filter) override;
  Result<std::vector<JobItem>> list_items(const ItemFilter& filter) override;
  Result<std::vector<ClaimedItem>> claim_items(const ClaimRequest& request) override;
  Result<std::vector<bool>> extend_leases(std::span<const ItemLease> leases,
                                          std::chrono::milliseconds lease) override;
  Result<SettleResult> settle_items(std::span<const ItemSettlement> settlements) override;
  Result<ReclaimResult> reclaim_expired_leases(int limit) override;
  Result<CancelResult> cancel_job(std::optional<std::int64_t> tenant_id,
                                  std::int64_t job_id) override;
  Status pause_job(std::int64_t job_id, std::string_view message) override;
  Status resume_job(std::int64_t job_id) override;
  Status set_job_message(std::int64_t job_id, std::string_view message) override;
  Status set_job_driver_state(std::int64_t job_id, std::string_view state_json) override;
  Result<std::vector<ClaimedItem>> claim_held_items(std::int64_t job_id,
                                                    std::span<const std::int64_t> item_ids,
                                                    std::string_view worker_id,
                                                    std::chrono::milliseconds lease) override;
  Result<std::int64_t> redrive_job(std::optional<std::int64_t> tenant_id,
                                   std::int64_t job_id) override;
  Result<std::vector<std::int64_t>> list_drained_jobs(int limit) override;
  Result<Job> finish_job(std::int64_t job_id) override;
  Result<std::int64_t> purge_finished_jobs(std::string_view finished_before, int limit) override;
  Result<QueueStats> queue_stats() override;
  // Maze experiments (*_experiments.cpp).
  Result<std::vector<std::int64_t>> create_experiments(
      std::span<const NewExperiment> experiments) override;
  Result<std::optional<Experiment>> get_experiment(std::optional<std::int64_t> tenant_id,
                                                   std::int64_t experiment_id) override;
  Result<std::optional<Experiment>> find_experiment_by_item(std::int64_t job_id,
                                                            std::string_view item_key) override;
  Status set_experiment_job(std::int64_t experiment_id, std::int64_t job_id,
                            std::string_view item_key) override;
  Result<Experiment> update_experiment(const ExperimentUpdate& update) override;
  Result<std::vector<Experiment>> list_experiments(const ExperimentFilter& filter) override;
  Result<std::vector<ExperimentAggregate>> compare_experiments(
      const ExperimentCompare& compare) override;
  Status archive_experiment(std::optional<std::int64_t> tenant_id, std::int64_t experiment_id,
                            bool archived) override;
  Status delete_experiment(std::optional<std::int64_t> tenant_id,
                           std::int64_t experiment_id) override;
  Result<std::int64_t> append_actions(std::span<const ExperimentAction> actions) override;
  Result<std::vector<ExperimentAction>> list_actions(std::optional<std::int64_t> tenant_id,
                                                     std::int64_t experiment_id,
                                                     std::int64_t after_step, int limit) override;
  // Files (*_files.cpp).
  Status put_file(const FileRecord& file) override;
  Result<std::optional<FileRecord>> get_file(std::optional<std::int64_t> tenant_id,
                                             std::string_view file_id) override;
  Result<std::vector<FileRecord>> list_files(const FileFilter& filter) override;
  Result<bool> delete_file(std::optional<std::int64_t> tenant_id,
                           std::string_view file_id) override;
  Result<std::unique_ptr<StoreListener>> listen(std::string_view channel) override;
  Status notify(std::string_view channel) override;
  // Closes every connection. Idempotent; every other call afterwards fails with kStoreError.
  Status close() override;

 private:
  PostgresStore(std::string url, std::chrono::milliseconds acquire_timeout,
                std::vector<std::unique_ptr<PgConnection>> slots);

  // Runs `fn(PgConnection&)` on a pooled connection, (re)connecting it first if needed.
  template <typename Fn>
  auto with_connection(Fn&& fn) -> decltype(fn(std::declval<PgConnection&>()));

  Status apply_in_transaction(PgConnection& conn, const Migration& migration, int binary_version);

  const std::string url_;  // may hold a password: never put it in a message unredacted
  const std::chrono::milliseconds acquire_timeout_;

  // Held shared by every call and exclusively by close(): close() waits for calls in flight
  // and no call can use a connection after it. Guards closed_.
  std::shared_mutex lifecycle_;
  bool closed_ = false;

  ConnectionPool<PgConnection> pool_;
};

// Defined here so the tenancy files can use it too.
template <typename Fn>
auto PostgresStore::with_connection(Fn&& fn) -> decltype(fn(std::declval<PgConnection&>())) {
  std::shared_lock life(lifecycle_);
  if (closed_) return make_error(ErrorCode::kStoreError, "store is closed");
  auto lease = pool_.acquire(acquire_timeout_);
  if (!lease) {
    return make_error(ErrorCode::kStoreError, "postgres: no connection free within " +
                                                  std::to_string(acquire_timeout_.count()) +
                                                  " ms (pool_size " + std::to_string(pool_.size()) +
                                                  ")");
  }
  std::unique_ptr<PgConnection>& slot = lease->slot();
  if (slot == nullptr || slot->broken()) {
    slot.reset();
    auto fresh = PgConnection::connect(url_);
    if (!fresh) return fresh.error();
    slot = std::move(*fresh);
  }
  return fn(*slot);
}

}  // namespace osprey::store
