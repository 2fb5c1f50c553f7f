// SqliteStore: usage ledger, daily rollup, and budget reservations.
#include <algorithm>
#include <array>
#include <forward_list>
#include <map>
#include <string>
#include <thread>
#include <tuple>

#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_store.h"
#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

#define OSPREY_PER_TENANT                                                                     \
  "(SELECT d.tenant_id, sum(d.requests) AS r, sum(d.tokens_in) AS ti, sum(d.tokens_out) AS "  \
  "tout, sum(d.cost_micros) AS c, sum(d.cache_hits) AS h FROM usage_daily d WHERE (?1 < 0 "   \
  "OR d.tenant_id = ?1) AND d.day >= ?2 AND d.day < ?3 GROUP BY d.tenant_id) s JOIN tenants " \
  "t ON t.id = s.tenant_id "

std::string_view aggregate_sql(UsageGroupBy group_by) {
  // Four constant statements (one per grouping) so each is prepared once and cached. Tenant
  // and tag groupings sum per tenant first and join the few resulting rows, instead of joining
  // every rollup row. The tag path is bound (?4), never spliced.
  switch (group_by) {
    case UsageGroupBy::kTenant:
      return "SELECT t.name AS g, s.r, s.ti, s.tout, s.c, s.h FROM " OSPREY_PER_TENANT "ORDER BY g";
    case UsageGroupBy::kTag:
      return "SELECT coalesce(json_extract(t.tags, ?4), '') AS g, sum(s.r), sum(s.ti), "
             "sum(s.tout), sum(s.c), sum(s.h) FROM " OSPREY_PER_TENANT "GROUP BY g ORDER BY g";
    case UsageGroupBy::kModel:
      return "SELECT d.model AS g, sum(d.requests), sum(d.tokens_in), sum(d.tokens_out), "
             "sum(d.cost_micros), sum(d.cache_hits) FROM usage_daily d WHERE (?1 < 0 OR "
             "d.tenant_id = ?1) AND d.day >= ?2 AND d.day < ?3 GROUP BY g ORDER BY g";
    case UsageGroupBy::kDay:
      break;
  }
  return "SELECT d.day AS g, sum(d.requests), sum(d.tokens_in), sum(d.tokens_out), "
         "sum(d.cost_micros), sum(d.cache_hits) FROM usage_daily d WHERE (?1 < 0 OR "
         "d.tenant_id = ?1) AND d.day >= ?2 AND d.day < ?3 GROUP BY g ORDER BY g";
}

// Sums of one rollup row contributed by one batch.
struct DailySums {
  std::int64_t requests = 0, tokens_in = 0, tokens_out = 0, cost_micros = 0, cache_hits = 0;
};
// day, tenant, model: views into the batch's records, which outlive the rollup map.
using DailyKey = std::tuple<std::string_view, std::int64_t, std::string_view>;

// Ledger rows per INSERT statement. One step for many rows keeps the table cursor open from row
// to row and ends the statement once, not once per row. Measured (callgrind, 226-row batches):
// 8 rows cost ~120 instructions per row more than 16, 32 only ~20 fewer, so 16.
constexpr std::size_t kRowsPerInsert = 16;
// Ledger rows per yield of the CPU (~150k instructions): every second full statement. Every
// statement was too often: each sched_yield moves the writer's EEVDF deadline a slice back, and
// yielding every 16 rows left it behind a saturated core (190k rows queued after 50 s at 32
// connections).
constexpr std::size_t kRowsPerYield = 2 * kRowsPerInsert;
constexpr int kLedgerColumns = 11;
constexpr std::size_t kCanonicalTimestampSize = std::string_view("2026-11-25T13:55:00.000Z").size();

// The largest statement size (a power of two, at most kRowsPerInsert) that fits `remaining`
// rows: a batch's tail goes in 8, 4, 2, 1 rows, so five statements serve every batch size.
std::size_t ledger_rows_per_step(std::size_t remaining) {
  std::size_t rows = kRowsPerInsert;
  while (rows > remaining) rows /= 2;
  return rows;
}

// "INSERT OR FAIL INTO usage_ledger (...) VALUES (?, ..., ?), (?, ...), ..." for `rows` rows (a
// power of two up to kRowsPerInsert), built once; anonymous parameters are numbered in order.
// OR FAIL: a failing row would end the statement without undoing its earlier rows, so SQLite
// keeps no statement journal (~200 instructions per row); append_usage rolls the whole
// transaction back on any error anyway.
std::string_view insert_ledger_sql(std::size_t rows) {
  static const std::array<std::string, kRowsPerInsert + 1> sql = [] {
    std::array<std::string, kRowsPerInsert + 1> all;
    for (std::size_t n = 1; n <= kRowsPerInsert; n *= 2) {
      all[n] =
          "INSERT OR FAIL INTO usage_ledger (at, tenant_id, key_id, model, deployment, "
          "tokens_in, tokens_out, cost_micros, latency_ms, status, cache_hit) VALUES ";
      for (std::size_t row = 0; row < n; ++row) {
        all[n] += row == 0 ? "" : ", ";
        all[n] += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      }
    }
    return all;
  }();
  return sql[rows];
}

// Binds one record as row `row` of a multi-row ledger INSERT. Texts are bound without a copy:
// `at` and the record outlive the step, and the bindings are cleared before they go.
Status bind_ledger_row(SqliteStatement& stmt, int row, std::string_view at, const UsageRecord& r) {
  return stmt.bind_values(
      row * kLedgerColumns + 1,
      {at, r.tenant_id, r.key_id, r.model, r.deployment, r.tokens_in, r.tokens_out, r.cost_micros,
       r.latency_ms, std::int64_t{r.status}, std::int64_t{r.cache_hit ? 1 : 0}});
}

// Inserts one batch's ledger rows, a statement at a time, through the connection's cached
// multi-row INSERTs. Every step binds all of its statement's parameters afresh, so bindings are
// cleared once, when the batch is done, not after every step (~170 instructions per row).
class LedgerInserts {
 public:
  explicit LedgerInserts(SqliteConnection& conn) : conn_(conn) {}
  // Bindings point into the batch's records and into normalized_: cleared before either goes.
  ~LedgerInserts() {
    for (SqliteStatement* stmt : by_rows_) {
      if (stmt != nullptr) stmt->clear_bindings();
    }
  }
  LedgerInserts(const LedgerInserts&) = delete;
  LedgerInserts& operator=(const LedgerInserts&) = delete;

  // Inserts `rows` (a size ledger_rows_per_step returns, records already checked) in one step.
  Status insert(std::span<const UsageRecord> rows) {
    SqliteStatement*& stmt = by_rows_[rows.size()];
    if (stmt == nullptr) {
      auto prepared = conn_.prepare_cached(insert_ledger_sql(rows.size()));
      if (!prepared) return prepared.error();
      stmt = *prepared;
    }
    ScopedReset rewind(*stmt, ScopedReset::Bindings::kKeep);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const UsageRecord& r = rows[i];
      std::string_view at = r.at;
      // check_usage_record passed: of the two accepted forms only the canonical one is 24 long.
      if (at.size() != kCanonicalTimestampSize) {
        at = normalized_.emplace_front(*normalize_timestamp("usage.at", at));
      }
      if (Status st = bind_ledger_row(*stmt, static_cast<int>(i), at, r); !st) return st;
    }
    auto done = stmt->step();
    if (!done) return done.error();
    return {};
  }

 private:
  SqliteConnection& conn_;
  std::array<SqliteStatement*, kRowsPerInsert + 1> by_rows_{};  // by row count, once per batch
  std::forward_list<std::string> normalized_;  // timestamps not in the canonical form, normalised
};

Status check_amount(std::int64_t amount) {
  if (amount < 0) return make_error(ErrorCode::kInvalidRequest, "amounts cannot be negative");
  return {};
}

}  // namespace

Status SqliteStore::append_usage(std::span<const UsageRecord> records) {
  if (records.empty()) return {};
  return with_writer([&](SqliteConnection& conn) -> Status {
    // One transaction; ledger rows go in up to kRowsPerInsert at a time through cached
    // multi-row statements (well below SQLite's 32,766-parameter cap).
    return sqlite_transaction(conn, [&]() -> Status {
      // The batch is summed per rollup row first: one upsert per (day, tenant, model)
      // instead of one per record.
      std::map<DailyKey, DailySums> daily;
      LedgerInserts ledger(conn);
      for (std::size_t first = 0; first < records.size();) {
        const auto chunk = records.subspan(first, ledger_rows_per_step(records.size() - first));
        first += chunk.size();
        // A statement's rows are checked, inserted and summed together, so no pass over the
        // whole batch runs between two yields. A bad record fails the batch, rolled back.
        for (const UsageRecord& r : chunk) {
          if (Status s = check_usage_record(r); !s) return s;
        }
        if (Status st = ledger.insert(chunk); !st) return st;
        for (const UsageRecord& r : chunk) {
          // Both accepted forms of `at` start with the day.
          DailySums& sums =
              daily[DailyKey{std::string_view(r.at).substr(0, 10), r.tenant_id, r.model}];
          sums.requests += 1;
          sums.tokens_in += r.tokens_in;
          sums.tokens_out += r.tokens_out;
          sums.cost_micros += r.cost_micros;
          sums.cache_hits += r.cache_hit ? 1 : 0;
        }
        // SQLite runs on this thread: a long batch yields the CPU every kRowsPerYield rows, so
        // that on a core shared with an I/O thread it never holds it for long (one big
        // transaction, not many small ones, which would rewrite the same WAL pages). Full
        // statements come first and the tail is shorter than one, so `first` reaches a
        // multiple of kRowsPerYield only after a full statement.
        if (first % kRowsPerYield == 0) std::this_thread::yield();
      }
      for (const auto& [key, sums] : daily) {
        auto rollup = sqlite_execute(
            conn,
            "INSERT INTO usage_daily (day, tenant_id, model, requests, tokens_in, tokens_out, "
            "cost_micros, cache_hits) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (day, "
            "tenant_id, model) DO UPDATE SET requests = requests + excluded.requests, tokens_in "
            "= tokens_in + excluded.tokens_in, tokens_out = tokens_out + excluded.tokens_out, "
            "cost_micros = cost_micros + excluded.cost_micros, cache_hits = cache_hits + "
            "excluded.cache_hits",
            std::get<0>(key), std::get<1>(key), std::get<2>(key), sums.requests, sums.tokens_in,
            sums.tokens_out, sums.cost_micros, sums.cache_hits);
        if (!rollup) return rollup.error();
      }
      return {};
    });
  });
}

Result<std::vector<UsageAggregate>> SqliteStore::aggregate_usage(const UsageFilter& filter,
                                                                 UsageGroupBy group_by) {
  if (Status s = check_usage_filter(filter, group_by); !s) return s.error();
  const std::int64_t tenant = filter.tenant_id.value_or(-1);
  const std::string from = filter.from_day;
  const std::string to = filter.to_day.empty() ? "9999-99-99" : filter.to_day;
  const std::string tag_path = "$.\"" + filter.tag_key + "\"";
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<UsageAggregate>> {
    auto stmt =
        group_by == UsageGroupBy::kTag
            ? sqlite_prepare_bound(conn, aggregate_sql(group_by), tenant, from, to, tag_path)
            : sqlite_prepare_bound(conn, aggregate_sql(group_by), tenant, from, to);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    std::vector<UsageAggregate> groups;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      const SqliteStatement& s = **stmt;
      groups.push_back(UsageAggregate{s.column_text(0), s.column_int64(1), s.column_int64(2),
                                      s.column_int64(3), s.column_int64(4), s.column_int64(5)});
    }
    return groups;
  });
}

Result<std::int64_t> SqliteStore::month_spend(std::int64_t tenant_id, std::string_view month) {
  if (Status s = check_month("month", month); !s) return s.error();
  const std::string from = std::string(month) + "-01";
  const std::string to = std::string(month) + "-99";
  return with_reader([&](SqliteConnection& conn) -> Result<std::int64_t> {
    auto stmt = sqlite_prepare_bound(conn,
                                     "SELECT coalesce(sum(cost_micros), 0) FROM usage_daily WHERE "
                                     "tenant_id = ?1 AND day >= ?2 AND day < ?3",
                                     tenant_id, from, to);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    if (auto row = (*stmt)->step(); !row) return row.error();
    return (*stmt)->column_int64(0);
  });
}

Result<bool> SqliteStore::reserve_spend(std::int64_t tenant_id, std::string_view month,
                                        std::int64_t amount_micros, std::int64_t limit_micros) {
  if (Status s = check_month("month", month); !s) return s.error();
  if (Status s = check_amount(amount_micros); !s) return s.error();
  // The conditional UPDATE is atomic under the single writer connection (and SQLite's write
  // lock across processes): check and reserve cannot interleave with another reservation.
  return with_writer([&](SqliteConnection& conn) -> Result<bool> {
    return sqlite_transaction(conn, [&]() -> Result<bool> {
      auto created = sqlite_execute(
          conn,
          "INSERT INTO spend_counters (tenant_id, month) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
          tenant_id, month);
      if (!created) return created.error();
      auto reserved = sqlite_execute(
          conn,
          "UPDATE spend_counters SET reserved_micros = reserved_micros + ?3 WHERE tenant_id = ?1 "
          "AND month = ?2 AND spent_micros + reserved_micros + ?3 <= ?4",
          tenant_id, month, amount_micros, limit_micros);
      if (!reserved) return reserved.error();
      return *reserved == 1;
    });
  });
}

Status SqliteStore::settle_spend(std::int64_t tenant_id, std::string_view month,
                                 std::int64_t reserved_micros, std::int64_t actual_micros) {
  if (Status s = check_month("month", month); !s) return s;
  if (Status s = check_amount(reserved_micros); !s) return s;
  if (Status s = check_amount(actual_micros); !s) return s;
  return with_writer([&](SqliteConnection& conn) -> Status {
    // max(…, 0): settling more than was reserved (a caller bug) must not make room for spend.
    auto settled = sqlite_execute(
        conn,
        "INSERT INTO spend_counters (tenant_id, month, spent_micros) VALUES (?1, ?2, ?4) ON "
        "CONFLICT (tenant_id, month) DO UPDATE SET spent_micros = spent_micros + ?4, "
        "reserved_micros = max(reserved_micros - ?3, 0)",
        tenant_id, month, reserved_micros, actual_micros);
    if (!settled) return settled.error();
    return {};
  });
}

Result<SpendCounter> SqliteStore::get_spend(std::int64_t tenant_id, std::string_view month) {
  if (Status s = check_month("month", month); !s) return s.error();
  return with_reader([&](SqliteConnection& conn) -> Result<SpendCounter> {
    auto stmt = sqlite_prepare_bound(
        conn,
        "SELECT spent_micros, reserved_micros FROM spend_counters WHERE tenant_id = ?1 AND "
        "month = ?2",
        tenant_id, month);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return SpendCounter{};
    return SpendCounter{(*stmt)->column_int64(0), (*stmt)->column_int64(1)};
  });
}

}  // namespace osprey::store
