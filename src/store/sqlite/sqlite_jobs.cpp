// SqliteStore: jobs and items. Every write runs on the one writer connection inside
// BEGIN IMMEDIATE, so claims, settlements and reclaims are serialized: no item can be leased
// twice. Times come from this process's clock (SQLite has no server clock to share).
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "store/job_input.h"
#include "store/queue_stats_builder.h"
#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_store.h"
#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

constexpr std::string_view kJobColumns =
    "j.id, j.tenant_id, j.workload, j.spec, j.priority, j.tags, j.resource, j.max_attempts, "
    "j.state, j.cancel_requested, j.paused, coalesce(j.idempotency_key, ''), j.body_hash, "
    "j.status_message, j.cost_micros, j.lease_expirations, j.created_at, j.started_at, "
    "j.finished_at, j.driver_state";

constexpr std::string_view kItemColumns =
    "id, job_id, key, input, state, attempts, next_run_at, lease_owner, lease_expires_at, "
    "last_error_code, last_error, result, cost_micros, finished_at";

// Items that still have to settle before their job can finish.
#define OSPREY_PENDING "('ready', 'leased', 'retry_wait', 'paused')"
// The state an item takes instead of waiting again when its job is cancelled or paused; NULL
// when the job is neither.
#define OSPREY_HELD_STATE                                                                  \
  "(SELECT CASE WHEN j.cancel_requested THEN 'cancelled' WHEN j.paused THEN 'paused' END " \
  "FROM jobs j WHERE j.id = job_items.job_id)"

std::string now_text() { return format_timestamp(std::chrono::system_clock::now()); }
std::string later_text(std::chrono::milliseconds delay) {
  return format_timestamp(std::chrono::system_clock::now() + delay);
}

Job read_job(const SqliteStatement& s) {
  Job job;
  job.id = s.column_int64(0);
  job.tenant_id = s.column_int64(1);
  job.workload = s.column_text(2);
  job.spec_json = s.column_text(3);
  job.priority = static_cast<int>(s.column_int64(4));
  job.tags_json = s.column_text(5);
  job.resource = s.column_text(6);
  job.max_attempts = static_cast<int>(s.column_int64(7));
  job.state = parse_job_state(s.column_text(8)).value_or(JobState::kQueued);
  job.cancel_requested = s.column_int64(9) != 0;
  job.paused = s.column_int64(10) != 0;
  job.idempotency_key = s.column_text(11);
  job.body_hash = s.column_text(12);
  job.status_message = s.column_text(13);
  job.cost_micros = s.column_int64(14);
  job.lease_expirations = s.column_int64(15);
  job.created_at = s.column_text(16);
  job.started_at = s.column_optional_text(17);
  job.finished_at = s.column_optional_text(18);
  job.driver_state = s.column_text(19);
  return job;
}

JobItem read_item(const SqliteStatement& s) {
  JobItem item;
  item.id = s.column_int64(0);
  item.job_id = s.column_int64(1);
  item.key = s.column_text(2);
  item.input_json = s.column_text(3);
  item.state = parse_item_state(s.column_text(4)).value_or(ItemState::kReady);
  item.attempts = static_cast<int>(s.column_int64(5));
  item.next_run_at = s.column_text(6);
  item.lease_owner = s.column_optional_text(7);
  item.lease_expires_at = s.column_optional_text(8);
  item.last_error_code = s.column_text(9);
  item.last_error = s.column_text(10);
  item.result_json = s.column_optional_text(11);
  item.cost_micros = s.column_int64(12);
  item.finished_at = s.column_optional_text(13);
  return item;
}

Result<JobCounts> load_counts(SqliteConnection& conn, std::int64_t job_id) {
  auto stmt = sqlite_prepare_bound(
      conn, "SELECT state, count(*) FROM job_items WHERE job_id = ?1 GROUP BY state", job_id);
  if (!stmt) return stmt.error();
  ScopedReset reset(**stmt);
  JobCounts counts;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    add_item_count(counts, (*stmt)->column_text(0), (*stmt)->column_int64(1));
  }
  return counts;
}

// The job with its counts; nullopt if it does not exist or belongs to another tenant.
Result<std::optional<Job>> select_job(SqliteConnection& conn, std::optional<std::int64_t> tenant,
                                      std::int64_t job_id) {
  Job job;
  {
    auto stmt = sqlite_prepare_bound(conn,
                                     "SELECT " + std::string(kJobColumns) +
                                         " FROM jobs j WHERE j.id = ?1 AND (?2 < 0 OR " +
                                         "j.tenant_id = ?2)",
                                     job_id, tenant.value_or(-1));
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return std::optional<Job>();
    job = read_job(**stmt);
  }
  auto counts = load_counts(conn, job.id);
  if (!counts) return counts.error();
  job.counts = *counts;
  return std::optional<Job>(std::move(job));
}

Error job_not_found(std::int64_t job_id) {
  return make_error(ErrorCode::kNotFound, "job " + std::to_string(job_id) + " does not exist");
}

Result<Job> require_job(SqliteConnection& conn, std::optional<std::int64_t> tenant,
                        std::int64_t job_id) {
  auto job = select_job(conn, tenant, job_id);
  if (!job) return job.error();
  if (!*job) return job_not_found(job_id);
  return std::move(**job);
}

Result<std::int64_t> scalar(SqliteStatement& stmt) {
  ScopedReset reset(stmt);
  auto row = stmt.step();
  if (!row) return row.error();
  return *row ? stmt.column_int64(0) : 0;
}

// Start-time fair queueing: a tenant's new work starts at the fair-share tag the queue of its
// priority has reached (or the tenant's own last tag, if later), so it interleaves with other
// tenants' queued items instead of queueing behind them.
Result<std::int64_t> fair_start(SqliteConnection& conn, std::int64_t tenant, int priority) {
  std::int64_t virtual_time = 0;
  {
    auto head = sqlite_prepare_bound(conn,
                                     "SELECT fair_tag FROM job_items WHERE state = 'ready' AND "
                                     "priority = ?1 ORDER BY priority DESC, fair_tag, id LIMIT 1",
                                     priority);
    if (!head) return head.error();
    ScopedReset reset(**head);
    auto row = (*head)->step();
    if (!row) return row.error();
    if (*row) virtual_time = (*head)->column_int64(0);
  }
  if (virtual_time == 0) {
    // Nothing queued at this priority: everything issued so far has been served.
    auto clock =
        sqlite_prepare_bound(conn, "SELECT coalesce(max(last_tag), 0) FROM job_fair_share");
    if (!clock) return clock.error();
    auto value = scalar(**clock);
    if (!value) return value.error();
    virtual_time = *value;
  }
  auto last = sqlite_prepare_bound(
      conn, "SELECT coalesce(max(last_tag), 0) FROM job_fair_share WHERE tenant_id = ?1", tenant);
  if (!last) return last.error();
  auto tenant_last = scalar(**last);
  if (!tenant_last) return tenant_last.error();
  return std::max(virtual_time, *tenant_last);
}

Status advance_fair_share(SqliteConnection& conn, std::int64_t tenant, std::int64_t last_tag) {
  auto done = sqlite_execute(conn,
                             "INSERT INTO job_fair_share (tenant_id, last_tag) VALUES (?1, ?2) ON "
                             "CONFLICT (tenant_id) DO UPDATE SET last_tag = max(last_tag, "
                             "excluded.last_tag)",
                             tenant, last_tag);
  if (!done) return done.error();
  return {};
}

// Gives the job's items in `from_state` fresh fair-share tags (keeping their relative order)
// and moves them to `to_state_sql` (an SQL expression). Returns how many moved.
Result<std::int64_t> requeue_items(SqliteConnection& conn, const Job& job, std::string_view from,
                                   std::string_view to_state_sql, const std::string& now) {
  std::int64_t min_tag = 0, max_tag = 0, count = 0;
  {
    auto range =
        sqlite_prepare_bound(conn,
                             "SELECT coalesce(min(fair_tag), 0), coalesce(max(fair_tag), "
                             "0), count(*) FROM job_items WHERE job_id = ?1 AND state = ?2",
                             job.id, from);
    if (!range) return range.error();
    ScopedReset reset(**range);
    if (auto row = (*range)->step(); !row) return row.error();
    min_tag = (*range)->column_int64(0);
    max_tag = (*range)->column_int64(1);
    count = (*range)->column_int64(2);
  }
  if (count == 0) return 0;
  auto start = fair_start(conn, job.tenant_id, job.priority);
  if (!start) return start.error();
  auto moved = sqlite_execute(
      conn,
      "UPDATE job_items SET fair_tag = fair_tag - ?3 + ?4 + 1, state = " +
          std::string(to_state_sql) +
          ", attempts = CASE WHEN state = 'dead' THEN 0 ELSE attempts END, next_run_at = CASE "
          "WHEN state = 'dead' THEN ?5 ELSE next_run_at END, finished_at = NULL WHERE job_id = "
          "?1 AND state = ?2",
      job.id, from, min_tag, *start, now);
  if (!moved) return moved.error();
  if (Status s = advance_fair_share(conn, job.tenant_id, *start + (max_tag - min_tag) + 1); !s) {
    return s.error();
  }
  return count;
}

// True if the job is unfinished and has no pending item.
Result<bool> is_drained(SqliteConnection& conn, std::int64_t job_id) {
  auto stmt = sqlite_prepare_bound(
      conn,
      "SELECT EXISTS (SELECT 1 FROM jobs WHERE id = ?1 AND finished_at IS NULL) AND NOT EXISTS "
      "(SELECT 1 FROM job_items WHERE job_id = ?1 AND state IN " OSPREY_PENDING ")",
      job_id);
  if (!stmt) return stmt.error();
  auto value = scalar(**stmt);
  if (!value) return value.error();
  return *value != 0;
}

Result<std::vector<std::int64_t>> drained_among(SqliteConnection& conn,
                                                const std::set<std::int64_t>& jobs) {
  std::vector<std::int64_t> drained;
  for (std::int64_t job_id : jobs) {
    auto d = is_drained(conn, job_id);
    if (!d) return d.error();
    if (*d) drained.push_back(job_id);
  }
  return drained;
}

// The lease UPDATE of claim_items (an item picked as ready) and of claim_held_items (only a
// paused item of job ?4): ?1 item id, ?2 owner, ?3 expiry; both return what lease_item reads.
#define OSPREY_SQLITE_LEASE_SET                                                          \
  "UPDATE job_items SET state = 'leased', lease_owner = ?2, lease_seq = lease_seq + 1, " \
  "attempts = attempts + 1, lease_expires_at = ?3 WHERE id = ?1"
#define OSPREY_SQLITE_LEASE_RETURNING                                                   \
  " RETURNING lease_seq, attempts, job_id, tenant_id, resource, priority, key, input, " \
  "max_attempts"
constexpr std::string_view kLeaseReady = OSPREY_SQLITE_LEASE_SET OSPREY_SQLITE_LEASE_RETURNING;
constexpr std::string_view kLeaseHeld =
    OSPREY_SQLITE_LEASE_SET " AND job_id = ?4 AND state = 'paused'" OSPREY_SQLITE_LEASE_RETURNING;
#undef OSPREY_SQLITE_LEASE_SET
#undef OSPREY_SQLITE_LEASE_RETURNING

// Leases item `id` with `sql` (kLeaseReady or kLeaseHeld, `more` binding ?4...); nullopt if
// its conditions left the item alone. The workload is the caller's to fill.
template <typename... More>
Result<std::optional<ClaimedItem>> lease_item(SqliteConnection& conn, std::string_view sql,
                                              std::int64_t id, std::string_view owner,
                                              const std::string& expires, const More&... more) {
  auto stmt = sqlite_prepare_bound(conn, sql, id, owner, expires, more...);
  if (!stmt) return stmt.error();
  ScopedReset reset(**stmt);
  auto row = (*stmt)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<ClaimedItem>();
  const SqliteStatement& s = **stmt;
  ClaimedItem item;
  item.lease = ItemLease{id, s.column_int64(0)};
  item.attempt = static_cast<int>(s.column_int64(1));
  item.job_id = s.column_int64(2);
  item.tenant_id = s.column_int64(3);
  item.resource = s.column_text(4);
  item.priority = static_cast<int>(s.column_int64(5));
  item.key = s.column_text(6);
  item.input_json = s.column_text(7);
  item.max_attempts = static_cast<int>(s.column_int64(8));
  item.lease_expires_at = expires;
  return std::optional<ClaimedItem>(std::move(item));
}

// The same rule as jobs::final_state (the engine writes it into manifest.json first): a job
// whose owner cancelled it is cancelled, even if its last items finished meanwhile.
JobState final_state(const Job& job) {
  if (job.cancel_requested) return JobState::kCancelled;
  if (job.counts.done == job.counts.total) return JobState::kSucceeded;
  if (job.counts.done == 0) return JobState::kFailed;
  return JobState::kPartiallySucceeded;
}

}  // namespace

Result<CreatedJob> SqliteStore::create_job(const NewJob& job) {
  if (Status s = check_new_job(job); !s) return s.error();
  auto created = with_writer([&](SqliteConnection& conn) -> Result<CreatedJob> {
    return sqlite_transaction(conn, [&]() -> Result<CreatedJob> {
      if (!job.idempotency_key.empty()) {
        auto existing = sqlite_prepare_bound(
            conn, "SELECT id, body_hash FROM jobs WHERE tenant_id = ?1 AND idempotency_key = ?2",
            job.tenant_id, job.idempotency_key);
        if (!existing) return existing.error();
        std::int64_t id = 0;
        std::string hash;
        {
          ScopedReset reset(**existing);
          auto row = (*existing)->step();
          if (!row) return row.error();
          if (*row) {
            id = (*existing)->column_int64(0);
            hash = (*existing)->column_text(1);
          }
        }
        if (id != 0) {
          if (hash != job.body_hash) {
            return make_error(ErrorCode::kConflict, "idempotency key '" + job.idempotency_key +
                                                        "' was used for a different request (job " +
                                                        std::to_string(id) + ")");
          }
          auto found = require_job(conn, job.tenant_id, id);
          if (!found) return found.error();
          return CreatedJob{std::move(*found), false};
        }
      }
      if (Status s = sqlite_require_tenant(conn, job.tenant_id); !s) return s.error();

      const std::string now = now_text();
      std::optional<std::string> idempotency_key;
      if (!job.idempotency_key.empty()) idempotency_key = job.idempotency_key;
      auto insert = sqlite_prepare_bound(
          conn,
          "INSERT INTO jobs (tenant_id, workload, spec, priority, tags, resource, max_attempts, "
          "paused, idempotency_key, body_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
          "?8, ?9, ?10, ?11) RETURNING id",
          job.tenant_id, job.workload, job.spec_json, job.priority, job.tags_json, job.resource,
          job.max_attempts, job.paused, idempotency_key, job.body_hash, now);
      if (!insert) return insert.error();
      auto job_id = scalar(**insert);
      if (!job_id) return job_id.error();

      // A paused job's tags are provisional (0..n-1): resume_job places them in the queue.
      std::int64_t start = 0;
      if (!job.paused) {
        auto fair = fair_start(conn, job.tenant_id, job.priority);
        if (!fair) return fair.error();
        start = *fair + 1;
      }
      const std::string state = job.paused ? "paused" : "ready";
      for (std::size_t i = 0; i < job.items.size(); ++i) {
        const NewJobItem& item = job.items[i];
        auto added = sqlite_execute(
            conn,
            "INSERT INTO job_items (job_id, tenant_id, priority, resource, max_attempts, "
            "fair_tag, key, input, state, next_run_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, "
            "?6, ?7, ?8, ?9, ?10, ?10)",
            *job_id, job.tenant_id, job.priority, job.resource, job.max_attempts,
            start + static_cast<std::int64_t>(i), item.key, item.input_json, state, now);
        if (!added) return added.error();
      }
      if (!job.paused) {
        const auto last = start + static_cast<std::int64_t>(job.items.size()) - 1;
        if (Status s = advance_fair_share(conn, job.tenant_id, last); !s) return s.error();
      }
      auto stored = require_job(conn, std::nullopt, *job_id);
      if (!stored) return stored.error();
      return CreatedJob{std::move(*stored), true};
    });
  });
  if (created && created->created && !job.paused) notifier_.notify(kJobsChannel);
  return created;
}

Result<std::optional<Job>> SqliteStore::get_job(std::optional<std::int64_t> tenant_id,
                                                std::int64_t job_id) {
  return with_reader([&](SqliteConnection& conn) { return select_job(conn, tenant_id, job_id); });
}

Result<std::vector<Job>> SqliteStore::list_jobs(const JobFilter& filter) {
  if (Status s = check_job_filter(filter); !s) return s.error();
  const std::string state = filter.state ? std::string(job_state_name(*filter.state)) : "";
  const std::string tag_path = filter.tag_key.empty() ? "" : "$.\"" + filter.tag_key + "\"";
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<Job>> {
    std::vector<Job> jobs;
    {
      auto stmt = sqlite_prepare_bound(
          conn,
          "SELECT " + std::string(kJobColumns) +
              " FROM jobs j WHERE (?1 < 0 OR j.tenant_id = ?1) AND (?2 = '' OR j.state = ?2) AND "
              "(?3 = '' OR j.workload = ?3) AND (?4 = '' OR json_extract(j.tags, ?4) = ?5) AND "
              "j.id < ?6 ORDER BY j.id DESC LIMIT ?7",
          filter.tenant_id.value_or(-1), state, filter.workload, tag_path, filter.tag_value,
          filter.before_id.value_or(INT64_MAX), filter.limit);
      if (!stmt) return stmt.error();
      ScopedReset reset(**stmt);
      while (true) {
        auto row = (*stmt)->step();
        if (!row) return row.error();
        if (!*row) break;
        jobs.push_back(read_job(**stmt));
      }
    }
    for (Job& job : jobs) {
      auto counts = load_counts(conn, job.id);
      if (!counts) return counts.error();
      job.counts = *counts;
    }
    return jobs;
  });
}

Result<std::vector<JobItem>> SqliteStore::list_items(const ItemFilter& filter) {
  if (Status s = check_item_filter(filter); !s) return s.error();
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<JobItem>> {
    const std::string columns(kItemColumns);
    auto stmt = filter.state
                    ? sqlite_prepare_bound(conn,
                                           "SELECT " + columns +
                                               " FROM job_items WHERE job_id = ?1 AND state = ?2 "
                                               "AND id > ?3 ORDER BY id LIMIT ?4",
                                           filter.job_id, item_state_name(*filter.state),
                                           filter.after_id, filter.limit)
                    : sqlite_prepare_bound(conn,
                                           "SELECT " + columns +
                                               " FROM job_items WHERE job_id = ?1 AND id > ?2 "
                                               "ORDER BY id LIMIT ?3",
                                           filter.job_id, filter.after_id, filter.limit);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    std::vector<JobItem> items;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      items.push_back(read_item(**stmt));
    }
    return items;
  });
}

Result<std::vector<ClaimedItem>> SqliteStore::claim_items(const ClaimRequest& request) {
  if (Status s = check_claim_request(request); !s) return s.error();
  std::map<std::string, int, std::less<>> resource_left;
  for (const ResourceCap& cap : request.resource_caps) resource_left[cap.resource] = cap.max_items;
  std::unordered_map<std::int64_t, int> tenant_left;
  for (const TenantCap& cap : request.tenant_caps) tenant_left[cap.tenant_id] = cap.max_items;
  const bool capped = !resource_left.empty() || !tenant_left.empty();
  nlohmann::json excluded_resource_list = nlohmann::json::array();
  nlohmann::json excluded_tenant_list = nlohmann::json::array();
  for (const auto& [resource, left] : resource_left) {
    if (left <= 0) excluded_resource_list.push_back(resource);
  }
  for (const auto& [tenant, left] : tenant_left) {
    if (left <= 0) excluded_tenant_list.push_back(tenant);
  }
  const std::string excluded_resources = excluded_resource_list.dump();
  const std::string excluded_tenants = excluded_tenant_list.dump();
  const std::string now = now_text();
  const std::string expires = later_text(request.lease);

  return with_writer([&](SqliteConnection& conn) -> Result<std::vector<ClaimedItem>> {
    return sqlite_transaction(conn, [&]() -> Result<std::vector<ClaimedItem>> {
      auto due = sqlite_execute(conn,
                                "UPDATE job_items SET state = 'ready' WHERE state = 'retry_wait' "
                                "AND next_run_at <= ?1",
                                now);
      if (!due) return due.error();

      // Pick ids first (the claim order is the partial index's order), then lease them.
      std::vector<std::int64_t> ids;
      {
        // Keys capped at 0 are filtered inside SQLite (cheaper than stepping over them here).
        auto pick = sqlite_prepare_bound(
            conn,
            "SELECT id, tenant_id, resource FROM job_items WHERE state = 'ready' AND (?2 = '[]' "
            "OR resource NOT IN (SELECT value FROM json_each(?2))) AND (?3 = '[]' OR tenant_id "
            "NOT IN (SELECT value FROM json_each(?3))) ORDER BY priority DESC, fair_tag, id "
            "LIMIT ?1",
            capped ? -1 : request.max_items, excluded_resources, excluded_tenants);
        if (!pick) return pick.error();
        ScopedReset reset(**pick);
        while (static_cast<int>(ids.size()) < request.max_items) {
          auto row = (*pick)->step();
          if (!row) return row.error();
          if (!*row) break;
          const std::int64_t tenant = (*pick)->column_int64(1);
          if (capped) {
            const std::string resource = (*pick)->column_text(2);
            auto r = resource_left.find(resource);
            auto t = tenant_left.find(tenant);
            if ((r != resource_left.end() && r->second <= 0) ||
                (t != tenant_left.end() && t->second <= 0)) {
              continue;
            }
            if (r != resource_left.end()) --r->second;
            if (t != tenant_left.end()) --t->second;
          }
          ids.push_back((*pick)->column_int64(0));
        }
      }

      std::vector<ClaimedItem> claimed;
      claimed.reserve(ids.size());
      std::map<std::int64_t, std::string> workloads;  // job id → workload
      for (std::int64_t id : ids) {
        auto item = lease_item(conn, kLeaseReady, id, request.worker_id, expires);
        if (!item) return item.error();
        if (!*item) continue;  // picked in this transaction: always leased
        workloads.emplace((*item)->job_id, "");
        claimed.push_back(std::move(**item));
      }
      for (auto& [job_id, workload] : workloads) {
        auto started = sqlite_execute(conn,
                                      "UPDATE jobs SET state = 'running', started_at = ?2 WHERE "
                                      "id = ?1 AND state = 'queued'",
                                      job_id, now);
        if (!started) return started.error();
        auto name = sqlite_prepare_bound(conn, "SELECT workload FROM jobs WHERE id = ?1", job_id);
        if (!name) return name.error();
        ScopedReset reset(**name);
        if (auto row = (*name)->step(); !row) return row.error();
        workload = (*name)->column_text(0);
      }
      for (ClaimedItem& item : claimed) item.workload = workloads[item.job_id];
      return claimed;
    });
  });
}

Result<std::vector<bool>> SqliteStore::extend_leases(std::span<const ItemLease> leases,
                                                     std::chrono::milliseconds lease) {
  if (lease.count() < 1) {
    return make_error(ErrorCode::kInvalidRequest, "lease: must be at least 1 ms");
  }
  const std::string expires = later_text(lease);
  return with_writer([&](SqliteConnection& conn) -> Result<std::vector<bool>> {
    return sqlite_transaction(conn, [&]() -> Result<std::vector<bool>> {
      std::vector<bool> held;
      held.reserve(leases.size());
      for (const ItemLease& l : leases) {
        auto n = sqlite_execute(conn,
                                "UPDATE job_items SET lease_expires_at = ?3 WHERE id = ?1 AND "
                                "lease_seq = ?2 AND state = 'leased'",
                                l.item_id, l.lease_seq, expires);
        if (!n) return n.error();
        held.push_back(*n == 1);
      }
      return held;
    });
  });
}

Result<SettleResult> SqliteStore::settle_items(std::span<const ItemSettlement> settlements) {
  if (Status s = check_settlements(settlements); !s) return s.error();
  const std::string now = now_text();
  return with_writer([&](SqliteConnection& conn) -> Result<SettleResult> {
    return sqlite_transaction(conn, [&]() -> Result<SettleResult> {
      SettleResult result;
      result.applied.reserve(settlements.size());
      std::set<std::int64_t> touched;
      std::map<std::int64_t, std::int64_t> cost_by_job;
      for (const ItemSettlement& s : settlements) {
        Result<SqliteStatement*> stmt = make_error(ErrorCode::kInternal, "unset");
        const std::string next_run = later_text(s.retry_delay);
        switch (s.outcome) {
          case ItemOutcome::kDone:
            stmt = sqlite_prepare_bound(
                conn,
                "UPDATE job_items SET state = 'done', result = ?3, cost_micros = ?4, finished_at "
                "= ?5, lease_owner = NULL, lease_expires_at = NULL WHERE id = ?1 AND lease_seq = "
                "?2 AND state = 'leased' RETURNING job_id",
                s.lease.item_id, s.lease.lease_seq, s.result_json, s.cost_micros, now);
            break;
          case ItemOutcome::kRetry:
            stmt = sqlite_prepare_bound(
                conn,
                "UPDATE job_items SET state = coalesce(" OSPREY_HELD_STATE
                ", CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'retry_wait' END), "
                "finished_at = CASE WHEN " OSPREY_HELD_STATE
                " IS NULL AND attempts >= max_attempts THEN ?3 END, next_run_at = ?4, "
                "last_error_code = ?5, last_error = ?6, lease_owner = NULL, lease_expires_at = "
                "NULL WHERE id = ?1 AND lease_seq = ?2 AND state = 'leased' RETURNING job_id",
                s.lease.item_id, s.lease.lease_seq, now, next_run, s.error_code, s.error_message);
            break;
          case ItemOutcome::kRateLimited:
            stmt = sqlite_prepare_bound(
                conn,
                "UPDATE job_items SET state = coalesce(" OSPREY_HELD_STATE
                ", 'retry_wait'), attempts = max(attempts - 1, 0), next_run_at = ?3, "
                "last_error_code = ?4, last_error = ?5, lease_owner = NULL, lease_expires_at = "
                "NULL WHERE id = ?1 AND lease_seq = ?2 AND state = 'leased' RETURNING job_id",
                s.lease.item_id, s.lease.lease_seq, next_run, s.error_code, s.error_message);
            break;
          case ItemOutcome::kDead:
            stmt = sqlite_prepare_bound(
                conn,
                "UPDATE job_items SET state = 'dead', finished_at = ?3, last_error_code = ?4, "
                "last_error = ?5, lease_owner = NULL, lease_expires_at = NULL WHERE id = ?1 AND "
                "lease_seq = ?2 AND state = 'leased' RETURNING job_id",
                s.lease.item_id, s.lease.lease_seq, now, s.error_code, s.error_message);
            break;
        }
        if (!stmt) return stmt.error();
        ScopedReset reset(**stmt);
        auto row = (*stmt)->step();
        if (!row) return row.error();
        result.applied.push_back(*row);
        if (!*row) continue;
        const std::int64_t job_id = (*stmt)->column_int64(0);
        touched.insert(job_id);
        if (s.outcome == ItemOutcome::kDone && s.cost_micros > 0) {
          cost_by_job[job_id] += s.cost_micros;
        }
      }
      for (const auto& [job_id, cost] : cost_by_job) {
        auto added = sqlite_execute(
            conn, "UPDATE jobs SET cost_micros = cost_micros + ?2 WHERE id = ?1", job_id, cost);
        if (!added) return added.error();
      }
      auto drained = drained_among(conn, touched);
      if (!drained) return drained.error();
      result.drained_jobs = std::move(*drained);
      return result;
    });
  });
}

Result<ReclaimResult> SqliteStore::reclaim_expired_leases(int limit) {
  if (Status s = check_limit("limit", limit, 100000); !s) return s.error();
  const std::string now = now_text();
  auto reclaimed = with_writer([&](SqliteConnection& conn) -> Result<ReclaimResult> {
    return sqlite_transaction(conn, [&]() -> Result<ReclaimResult> {
      std::vector<std::int64_t> ids;
      {
        auto expired = sqlite_prepare_bound(conn,
                                            "SELECT id FROM job_items WHERE state = 'leased' AND "
                                            "lease_expires_at < ?1 ORDER BY lease_expires_at "
                                            "LIMIT ?2",
                                            now, limit);
        if (!expired) return expired.error();
        ScopedReset reset(**expired);
        while (true) {
          auto row = (*expired)->step();
          if (!row) return row.error();
          if (!*row) break;
          ids.push_back((*expired)->column_int64(0));
        }
      }
      ReclaimResult result;
      std::map<std::int64_t, std::int64_t> expirations;
      for (std::int64_t id : ids) {
        auto stmt = sqlite_prepare_bound(
            conn,
            "UPDATE job_items SET state = coalesce(" OSPREY_HELD_STATE
            ", CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'ready' END), finished_at = "
            "CASE WHEN " OSPREY_HELD_STATE
            " IS NULL AND attempts >= max_attempts THEN ?2 END, next_run_at = ?2, "
            "last_error_code = 'lease_expired', last_error = 'the lease of ' || lease_owner || ' "
            "expired', lease_owner = NULL, lease_expires_at = NULL WHERE id = ?1 RETURNING "
            "job_id, state",
            id, now);
        if (!stmt) return stmt.error();
        ScopedReset reset(**stmt);
        auto row = (*stmt)->step();
        if (!row) return row.error();
        if (!*row) continue;
        ++expirations[(*stmt)->column_int64(0)];
        if ((*stmt)->column_text(1) == "dead") {
          ++result.dead_lettered;
        } else {
          ++result.reclaimed;
        }
      }
      std::set<std::int64_t> touched;
      for (const auto& [job_id, n] : expirations) {
        auto counted = sqlite_execute(
            conn, "UPDATE jobs SET lease_expirations = lease_expirations + ?2 WHERE id = ?1",
            job_id, n);
        if (!counted) return counted.error();
        touched.insert(job_id);
      }
      auto drained = drained_among(conn, touched);
      if (!drained) return drained.error();
      result.drained_jobs = std::move(*drained);
      return result;
    });
  });
  if (reclaimed && reclaimed->reclaimed > 0) notifier_.notify(kJobsChannel);
  return reclaimed;
}

Result<CancelResult> SqliteStore::cancel_job(std::optional<std::int64_t> tenant_id,
                                             std::int64_t job_id) {
  const std::string now = now_text();
  return with_writer([&](SqliteConnection& conn) -> Result<CancelResult> {
    return sqlite_transaction(conn, [&]() -> Result<CancelResult> {
      auto job = require_job(conn, tenant_id, job_id);
      if (!job) return job.error();
      if (job->finished_at) return CancelResult{std::move(*job), false};
      auto flagged =
          sqlite_execute(conn, "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1", job_id);
      if (!flagged) return flagged.error();
      auto stopped = sqlite_execute(conn,
                                    "UPDATE job_items SET state = 'cancelled', finished_at = ?2 "
                                    "WHERE job_id = ?1 AND state IN ('ready', 'retry_wait', "
                                    "'paused')",
                                    job_id, now);
      if (!stopped) return stopped.error();
      auto updated = require_job(conn, tenant_id, job_id);
      if (!updated) return updated.error();
      const bool drained = updated->counts.pending() == 0;
      return CancelResult{std::move(*updated), drained};
    });
  });
}

Status SqliteStore::pause_job(std::int64_t job_id, std::string_view message) {
  return with_writer([&](SqliteConnection& conn) -> Status {
    return sqlite_transaction(conn, [&]() -> Status {
      auto job = require_job(conn, std::nullopt, job_id);
      if (!job) return job.error();
      if (job->finished_at) {
        return make_error(ErrorCode::kConflict,
                          "job " + std::to_string(job_id) + " is finished and cannot be paused");
      }
      auto flagged = sqlite_execute(
          conn, "UPDATE jobs SET paused = 1, status_message = ?2 WHERE id = ?1", job_id, message);
      if (!flagged) return flagged.error();
      auto held = sqlite_execute(conn,
                                 "UPDATE job_items SET state = 'paused' WHERE job_id = ?1 AND "
                                 "state IN ('ready', 'retry_wait')",
                                 job_id);
      if (!held) return held.error();
      return {};
    });
  });
}

Status SqliteStore::resume_job(std::int64_t job_id) {
  const std::string now = now_text();
  Status resumed = with_writer([&](SqliteConnection& conn) -> Status {
    return sqlite_transaction(conn, [&]() -> Status {
      auto job = require_job(conn, std::nullopt, job_id);
      if (!job) return job.error();
      auto flagged = sqlite_execute(
          conn, "UPDATE jobs SET paused = 0, status_message = '' WHERE id = ?1", job_id);
      if (!flagged) return flagged.error();
      auto moved =
          requeue_items(conn, *job, "paused",
                        "CASE WHEN next_run_at <= ?5 THEN 'ready' ELSE 'retry_wait' END", now);
      if (!moved) return moved.error();
      return {};
    });
  });
  if (resumed) notifier_.notify(kJobsChannel);
  return resumed;
}

Status SqliteStore::set_job_message(std::int64_t job_id, std::string_view message) {
  return with_writer([&](SqliteConnection& conn) -> Status {
    auto n =
        sqlite_execute(conn, "UPDATE jobs SET status_message = ?2 WHERE id = ?1", job_id, message);
    if (!n) return n.error();
    if (*n == 0) return job_not_found(job_id);
    return {};
  });
}

Status SqliteStore::set_job_driver_state(std::int64_t job_id, std::string_view state_json) {
  const std::string now = now_text();
  return with_writer([&](SqliteConnection& conn) -> Status {
    auto n = sqlite_execute(conn,
                            "UPDATE jobs SET driver_state = ?2, state = CASE WHEN state = "
                            "'queued' THEN 'running' ELSE state END, started_at = "
                            "coalesce(started_at, ?3) WHERE id = ?1",
                            job_id, state_json, now);
    if (!n) return n.error();
    if (*n == 0) return job_not_found(job_id);
    return {};
  });
}

Result<std::vector<ClaimedItem>> SqliteStore::claim_held_items(
    std::int64_t job_id, std::span<const std::int64_t> item_ids, std::string_view worker_id,
    std::chrono::milliseconds lease) {
  if (lease.count() < 1) {
    return make_error(ErrorCode::kInvalidRequest, "lease: must be at least 1 ms");
  }
  const std::string now = now_text();
  const std::string expires = later_text(lease);
  return with_writer([&](SqliteConnection& conn) -> Result<std::vector<ClaimedItem>> {
    return sqlite_transaction(conn, [&]() -> Result<std::vector<ClaimedItem>> {
      auto job = require_job(conn, std::nullopt, job_id);
      if (!job) return job.error();
      std::vector<ClaimedItem> claimed;
      if (!job->paused || job->cancel_requested || job->finished_at) return claimed;
      std::vector<std::int64_t> ids(item_ids.begin(), item_ids.end());
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      for (std::int64_t id : ids) {
        auto item = lease_item(conn, kLeaseHeld, id, worker_id, expires, job_id);
        if (!item) return item.error();
        if (!*item) continue;  // not a paused item of this job
        (*item)->workload = job->workload;
        claimed.push_back(std::move(**item));
      }
      if (!claimed.empty()) {
        auto started = sqlite_execute(conn,
                                      "UPDATE jobs SET state = 'running', started_at = "
                                      "coalesce(started_at, ?2) WHERE id = ?1 AND state = "
                                      "'queued'",
                                      job_id, now);
        if (!started) return started.error();
      }
      return claimed;
    });
  });
}

Result<std::int64_t> SqliteStore::redrive_job(std::optional<std::int64_t> tenant_id,
                                              std::int64_t job_id) {
  const std::string now = now_text();
  auto redriven = with_writer([&](SqliteConnection& conn) -> Result<std::int64_t> {
    return sqlite_transaction(conn, [&]() -> Result<std::int64_t> {
      auto job = require_job(conn, tenant_id, job_id);
      if (!job) return job.error();
      if (job->cancel_requested) {
        return make_error(ErrorCode::kConflict, "job " + std::to_string(job_id) +
                                                    " was cancelled and cannot be redriven");
      }
      auto moved = requeue_items(conn, *job, "dead", job->paused ? "'paused'" : "'ready'", now);
      if (!moved) return moved.error();
      if (*moved > 0) {
        // A finished job runs again; finish_job records its new final state.
        auto reopened = sqlite_execute(conn,
                                       "UPDATE jobs SET state = CASE WHEN started_at IS NULL THEN "
                                       "'queued' ELSE 'running' END, finished_at = NULL WHERE id "
                                       "= ?1",
                                       job_id);
        if (!reopened) return reopened.error();
      }
      return *moved;
    });
  });
  if (redriven && *redriven > 0) notifier_.notify(kJobsChannel);
  return redriven;
}

Result<std::vector<std::int64_t>> SqliteStore::list_drained_jobs(int limit) {
  if (Status s = check_limit("limit", limit, 10000); !s) return s.error();
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<std::int64_t>> {
    auto stmt = sqlite_prepare_bound(conn,
                                     "SELECT j.id FROM jobs j WHERE j.finished_at IS NULL AND NOT "
                                     "EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = j.id AND "
                                     "i.state IN " OSPREY_PENDING ") ORDER BY j.id LIMIT ?1",
                                     limit);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    std::vector<std::int64_t> ids;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      ids.push_back((*stmt)->column_int64(0));
    }
    return ids;
  });
}

Result<Job> SqliteStore::finish_job(std::int64_t job_id) {
  const std::string now = now_text();
  return with_writer([&](SqliteConnection& conn) -> Result<Job> {
    return sqlite_transaction(conn, [&]() -> Result<Job> {
      auto job = require_job(conn, std::nullopt, job_id);
      if (!job) return job.error();
      if (job->finished_at) return std::move(*job);
      if (job->counts.pending() > 0) {
        return make_error(ErrorCode::kConflict, "job " + std::to_string(job_id) + " has " +
                                                    std::to_string(job->counts.pending()) +
                                                    " pending items");
      }
      const JobState state = final_state(*job);
      auto done = sqlite_execute(conn,
                                 "UPDATE jobs SET state = ?2, finished_at = ?3, started_at = "
                                 "coalesce(started_at, ?3) WHERE id = ?1",
                                 job_id, job_state_name(state), now);
      if (!done) return done.error();
      return require_job(conn, std::nullopt, job_id);
    });
  });
}

Result<std::int64_t> SqliteStore::purge_finished_jobs(std::string_view finished_before, int limit) {
  auto before = normalize_timestamp("finished_before", finished_before);
  if (!before) return before.error();
  if (Status s = check_limit("limit", limit, 100000); !s) return s.error();
  return with_writer([&](SqliteConnection& conn) -> Result<std::int64_t> {
    return sqlite_transaction(conn, [&]() -> Result<std::int64_t> {
      // Items go with their job (ON DELETE CASCADE).
      auto n = sqlite_execute(conn,
                              "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE "
                              "finished_at IS NOT NULL AND finished_at < ?1 ORDER BY "
                              "finished_at LIMIT ?2)",
                              *before, limit);
      if (!n) return n.error();
      return static_cast<std::int64_t>(*n);
    });
  });
}

Result<QueueStats> SqliteStore::queue_stats() {
  return with_reader([&](SqliteConnection& conn) -> Result<QueueStats> {
    QueueStatsBuilder builder;
    // One pass over the ready items (the claimable index), one over the leased ones (the lease
    // index); the jobs table is small.
    {
      auto stmt = sqlite_prepare_bound(conn,
                                       "SELECT priority, tenant_id, count(*), min(created_at) "
                                       "FROM job_items WHERE state = 'ready' GROUP BY priority, "
                                       "tenant_id");
      if (!stmt) return stmt.error();
      ScopedReset reset(**stmt);
      while (true) {
        auto row = (*stmt)->step();
        if (!row) return row.error();
        if (!*row) break;
        const SqliteStatement& s = **stmt;
        builder.add_ready(static_cast<int>(s.column_int64(0)), s.column_int64(1), s.column_int64(2),
                          s.column_text(3));
      }
    }
    {
      auto stmt = sqlite_prepare_bound(conn,
                                       "SELECT tenant_id, resource, count(*) FROM job_items "
                                       "WHERE state = 'leased' GROUP BY tenant_id, resource");
      if (!stmt) return stmt.error();
      ScopedReset reset(**stmt);
      while (true) {
        auto row = (*stmt)->step();
        if (!row) return row.error();
        if (!*row) break;
        const SqliteStatement& s = **stmt;
        builder.add_leased(s.column_int64(0), s.column_text(1), s.column_int64(2));
      }
    }
    {
      auto stmt = sqlite_prepare_bound(conn,
                                       "SELECT tenant_id, sum(paused = 0), sum(state = "
                                       "'running') FROM jobs WHERE finished_at IS NULL GROUP BY "
                                       "tenant_id");
      if (!stmt) return stmt.error();
      ScopedReset reset(**stmt);
      while (true) {
        auto row = (*stmt)->step();
        if (!row) return row.error();
        if (!*row) break;
        const SqliteStatement& s = **stmt;
        builder.add_jobs(s.column_int64(0), s.column_int64(1), s.column_int64(2));
      }
    }
    auto expirations =
        sqlite_prepare_bound(conn, "SELECT coalesce(sum(lease_expirations), 0) FROM jobs");
    if (!expirations) return expirations.error();
    auto total = scalar(**expirations);
    if (!total) return total.error();
    return builder.build(*total);
  });
}

Result<std::unique_ptr<StoreListener>> SqliteStore::listen(std::string_view channel) {
  if (Status s = check_name("channel", channel); !s) return s.error();
  return notifier_.listen(channel);
}

Status SqliteStore::notify(std::string_view channel) {
  if (Status s = check_name("channel", channel); !s) return s;
  notifier_.notify(channel);
  return {};
}

}  // namespace osprey::store
