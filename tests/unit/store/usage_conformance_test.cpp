// Usage ledger, aggregation and budget reservations part of the Store conformance suite.
#include <atomic>
#include <thread>

#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

UsageRecord usage(std::int64_t tenant, const std::string& at, const std::string& model,
                  std::int64_t tokens_in, std::int64_t tokens_out, std::int64_t cost,
                  bool cache_hit = false) {
  UsageRecord r;
  r.at = at;
  r.tenant_id = tenant;
  r.key_id = tenant * 10;
  r.model = model;
  r.deployment = model + "-a";
  r.tokens_in = tokens_in;
  r.tokens_out = tokens_out;
  r.cost_micros = cost;
  r.latency_ms = 120;
  r.status = 200;
  r.cache_hit = cache_hit;
  return r;
}

class Dataset {
 public:
  // Two tenants tagged team=search and team=ads, a third with no team, three days, two models.
  explicit Dataset(Store& store) {
    acme = store.create_tenant("acme", R"({"team":"search"})")->id;
    beta = store.create_tenant("beta", R"({"team":"ads"})")->id;
    gamma = store.create_tenant("gamma", "{}")->id;
    records = {
        usage(acme, "2026-11-01T10:00:00Z", "llama3", 10, 20, 100),
        usage(acme, "2026-11-01T23:59:59.999Z", "llama3", 1, 2, 10, true),
        usage(acme, "2026-11-02T00:00:00Z", "qwen", 5, 5, 50),
        usage(beta, "2026-11-02T08:00:00Z", "llama3", 100, 200, 1000),
        usage(beta, "2026-11-03T08:00:00Z", "qwen", 7, 3, 70, true),
        usage(gamma, "2026-11-03T09:00:00Z", "qwen", 2, 2, 20),
        usage(acme, "2026-12-01T00:00:00Z", "llama3", 1000, 1000, 5000),
    };
  }
  std::int64_t acme = 0, beta = 0, gamma = 0;
  std::vector<UsageRecord> records;
};

std::vector<UsageAggregate> aggregate(Store& store, UsageGroupBy by, UsageFilter filter = {}) {
  auto result = store.aggregate_usage(filter, by);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? *result : std::vector<UsageAggregate>{};
}

TEST_P(StoreConformanceTest, AggregatesByTenantModelDayAndTag) {
  migrate();
  Dataset data(*store_);
  ASSERT_TRUE(store_->append_usage(data.records).ok());
  UsageFilter november{std::nullopt, "2026-11-01", "2026-12-01", ""};

  EXPECT_EQ(
      aggregate(*store_, UsageGroupBy::kTenant, november),
      (std::vector<UsageAggregate>{
          {"acme", 3, 16, 27, 160, 1}, {"beta", 2, 107, 203, 1070, 1}, {"gamma", 1, 2, 2, 20, 0}}));
  EXPECT_EQ(
      aggregate(*store_, UsageGroupBy::kModel, november),
      (std::vector<UsageAggregate>{{"llama3", 3, 111, 222, 1110, 1}, {"qwen", 3, 14, 10, 140, 1}}));
  EXPECT_EQ(aggregate(*store_, UsageGroupBy::kDay),
            (std::vector<UsageAggregate>{{"2026-11-01", 2, 11, 22, 110, 1},
                                         {"2026-11-02", 2, 105, 205, 1050, 0},
                                         {"2026-11-03", 2, 9, 5, 90, 1},
                                         {"2026-12-01", 1, 1000, 1000, 5000, 0}}));
  UsageFilter by_team = november;
  by_team.tag_key = "team";
  EXPECT_EQ(
      aggregate(*store_, UsageGroupBy::kTag, by_team),
      (std::vector<UsageAggregate>{
          {"", 1, 2, 2, 20, 0}, {"ads", 2, 107, 203, 1070, 1}, {"search", 3, 16, 27, 160, 1}}));
}

TEST_P(StoreConformanceTest, AggregateFiltersByTenantAndDayRange) {
  migrate();
  Dataset data(*store_);
  ASSERT_TRUE(store_->append_usage(data.records).ok());
  UsageFilter acme_day2{data.acme, "2026-11-02", "2026-11-03", ""};
  EXPECT_EQ(aggregate(*store_, UsageGroupBy::kModel, acme_day2),
            (std::vector<UsageAggregate>{{"qwen", 1, 5, 5, 50, 0}}));
  UsageFilter nothing{data.gamma, "2026-12-01", "", ""};
  EXPECT_TRUE(aggregate(*store_, UsageGroupBy::kTenant, nothing).empty());
}

TEST_P(StoreConformanceTest, AggregateRejectsBadFilters) {
  migrate();
  EXPECT_EQ(store_->aggregate_usage({std::nullopt, "yesterday", "", ""}, UsageGroupBy::kDay).code(),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->aggregate_usage({}, UsageGroupBy::kTag).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->aggregate_usage({std::nullopt, "", "", "te\"am"}, UsageGroupBy::kTag).code(),
            ErrorCode::kInvalidRequest);
}

TEST_P(StoreConformanceTest, MonthSpendSumsTheLedgerOfOneTenantAndMonth) {
  migrate();
  Dataset data(*store_);
  ASSERT_TRUE(store_->append_usage(data.records).ok());
  auto november = store_->month_spend(data.acme, "2026-11");
  ASSERT_TRUE(november.ok()) << november.error().message;
  EXPECT_EQ(*november, 160);
  EXPECT_EQ(store_->month_spend(data.acme, "2026-12").value_or(-1), 5000);
  EXPECT_EQ(store_->month_spend(data.gamma, "2026-10").value_or(-1), 0);
  EXPECT_EQ(store_->month_spend(data.acme, "2026-1").code(), ErrorCode::kInvalidRequest);
}

TEST_P(StoreConformanceTest, LedgerBatchOfTenThousandRowsPersistsEveryRow) {
  migrate();
  std::vector<UsageRecord> batch;
  for (int i = 0; i < 10000; ++i) {
    batch.push_back(usage(1 + i % 3, "2026-11-0" + std::to_string(1 + i % 9) + "T12:00:00Z",
                          i % 2 ? "llama3" : "m\"odel,{x}", 1, 2, 3, i % 5 == 0));
  }
  Status appended = store_->append_usage(batch);
  ASSERT_TRUE(appended.ok()) << appended.error().message;
  EXPECT_EQ(db_->query("SELECT count(*) FROM usage_ledger").value_or("?"), "10000");
  EXPECT_EQ(db_->query("SELECT sum(requests) FROM usage_daily").value_or("?"), "10000");
  auto by_model = aggregate(*store_, UsageGroupBy::kModel);
  ASSERT_EQ(by_model.size(), 2u);
  EXPECT_EQ(by_model[0].group, "llama3");
  EXPECT_EQ(by_model[1].group, "m\"odel,{x}");
  EXPECT_EQ(by_model[0].requests + by_model[1].requests, 10000);
  EXPECT_EQ(by_model[0].cost_micros + by_model[1].cost_micros, 30000);
  EXPECT_EQ(by_model[0].cache_hits + by_model[1].cache_hits, 2000);
}

// Every ledger index is paid on every request and no operation reads the ledger back (the
// rollup serves aggregate_usage and month_spend): the table keeps only its primary key.
TEST_P(StoreConformanceTest, LedgerTableHasNoSecondaryIndex) {
  migrate();
  const std::string indexes =
      store_->backend() == "sqlite"
          ? "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_ledger'"
          : "SELECT count(*) FROM pg_indexes WHERE tablename = 'usage_ledger' AND indexname <> "
            "'usage_ledger_pkey'";
  EXPECT_EQ(db_->query(indexes).value_or("?"), "0");
}

// Row n's time: odd rows in the short form ("...:SSZ"), stored as "...:SS.000Z".
std::string ledger_time(int n, bool stored) {
  // (A leading zero appended to, not inserted before: GCC 12's -Wrestrict misfires on the insert.)
  const auto two = [](int v) { return std::string(v < 10 ? 1 : 0, '0') + std::to_string(v); };
  const std::string fraction = n % 2 ? (stored ? ".000Z" : "Z") : ".250Z";
  return "2026-11-05T10:" + two(n / 60) + ":" + two(n % 60) + fraction;
}

TEST_P(StoreConformanceTest, LedgerBatchesAroundTheStatementSizeStoreEveryColumnOfEveryRow) {
  migrate();
  // Sizes around the SQLite store's rows per INSERT statement (remainders, exact multiples,
  // one over), with both accepted timestamp forms mixed in one statement.
  int next = 0;
  for (const int size : {1, 15, 16, 17, 31, 32, 33, 65}) {
    std::vector<UsageRecord> batch;
    for (int i = 0; i < size; ++i, ++next) {
      UsageRecord r =
          usage(1 + next % 2, ledger_time(next, false), "model-" + std::to_string(next % 3), next,
                2 * next, 3 * next, next % 4 == 0);
      r.key_id = 100 + next;
      r.deployment = "dep-" + std::to_string(next);
      r.latency_ms = 1000 + next;
      r.status = 200 + next % 7;
      batch.push_back(r);
    }
    Status appended = store_->append_usage(batch);
    ASSERT_TRUE(appended.ok()) << appended.error().message;
  }
  ASSERT_EQ(db_->query("SELECT count(*) FROM usage_ledger").value_or("?"), std::to_string(next));
  // One condition per expected row, each with its own key_id: as many distinct key_ids match
  // as there are rows only if every expected row is stored with every column as given.
  std::string match = "SELECT count(DISTINCT key_id) FROM usage_ledger WHERE false";
  for (int n = 0; n < next; ++n) {
    match +=
        " OR (at = '" + ledger_time(n, true) + "' AND tenant_id = " + std::to_string(1 + n % 2) +
        " AND key_id = " + std::to_string(100 + n) + " AND model = 'model-" +
        std::to_string(n % 3) + "' AND deployment = 'dep-" + std::to_string(n) +
        "' AND tokens_in = " + std::to_string(n) + " AND tokens_out = " + std::to_string(2 * n) +
        " AND cost_micros = " + std::to_string(3 * n) +
        " AND latency_ms = " + std::to_string(1000 + n) +
        " AND status = " + std::to_string(200 + n % 7) +
        " AND (CASE WHEN cache_hit THEN 1 ELSE 0 END) = " + (n % 4 == 0 ? "1" : "0") + ")";
  }
  EXPECT_EQ(db_->query(match).value_or("?"), std::to_string(next));
  // The rollup saw every row once.
  EXPECT_EQ(db_->query("SELECT sum(requests) FROM usage_daily").value_or("?"),
            std::to_string(next));
  EXPECT_EQ(db_->query("SELECT sum(tokens_in) FROM usage_daily").value_or("?"),
            std::to_string(next * (next - 1) / 2));
  EXPECT_EQ(db_->query("SELECT sum(cache_hits) FROM usage_daily").value_or("?"),
            std::to_string((next + 3) / 4));
}

TEST_P(StoreConformanceTest, LedgerBatchWithOneBadRecordStoresNothing) {
  migrate();
  std::vector<UsageRecord> batch = {usage(1, "2026-11-01T00:00:00Z", "m", 1, 1, 1),
                                    usage(1, "not a time", "m", 1, 1, 1)};
  EXPECT_EQ(store_->append_usage(batch).code(), ErrorCode::kInvalidRequest);
  batch[1] = usage(1, "2026-11-01T00:00:00Z", "m", -1, 1, 1);
  EXPECT_EQ(store_->append_usage(batch).code(), ErrorCode::kInvalidRequest);
  // A bad record after many good ones (past the SQLite store's first 16-row statement).
  std::vector<UsageRecord> long_batch(20, usage(1, "2026-11-01T00:00:00Z", "m", 1, 1, 1));
  long_batch[17].at = "2026-11-01 00:00:00";
  EXPECT_EQ(store_->append_usage(long_batch).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(db_->query("SELECT count(*) FROM usage_ledger").value_or("?"), "0");
  EXPECT_EQ(db_->query("SELECT count(*) FROM usage_daily").value_or("?"), "0");
  EXPECT_TRUE(store_->append_usage({}).ok());
}

TEST_P(StoreConformanceTest, ReservationsStopAtTheLimitAndSettleReleasesThem) {
  migrate();
  auto first = store_->reserve_spend(1, "2026-11", 600, 1000);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  EXPECT_FALSE(store_->reserve_spend(1, "2026-11", 500, 1000).value_or(true));
  EXPECT_TRUE(store_->reserve_spend(1, "2026-11", 400, 1000).value_or(false));
  // Another month and another tenant have their own counters.
  EXPECT_TRUE(store_->reserve_spend(1, "2026-12", 1000, 1000).value_or(false));
  EXPECT_TRUE(store_->reserve_spend(2, "2026-11", 1000, 1000).value_or(false));

  ASSERT_TRUE(store_->settle_spend(1, "2026-11", 600, 250).ok());
  auto counter = store_->get_spend(1, "2026-11");
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(counter->spent_micros, 250);
  EXPECT_EQ(counter->reserved_micros, 400);
  EXPECT_TRUE(store_->reserve_spend(1, "2026-11", 350, 1000).value_or(false));
  EXPECT_FALSE(store_->reserve_spend(1, "2026-11", 1, 1000).value_or(true));

  EXPECT_EQ(store_->reserve_spend(1, "2026-11", -5, 1000).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->reserve_spend(1, "Nov", 5, 1000).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->get_spend(3, "2026-11").value_or(SpendCounter{1, 1}).spent_micros, 0);
}

TEST_P(StoreConformanceTest, SettlingMoreThanReservedNeverGoesNegative) {
  migrate();
  ASSERT_TRUE(store_->reserve_spend(1, "2026-11", 100, 1000).ok());
  ASSERT_TRUE(store_->settle_spend(1, "2026-11", 500, 100).ok());
  auto counter = store_->get_spend(1, "2026-11");
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(counter->reserved_micros, 0);
  EXPECT_EQ(counter->spent_micros, 100);
}

TEST_P(StoreConformanceTest, ConcurrentReservationsFromSixteenThreadsNeverExceedTheLimit) {
  migrate();
  // Two stores on one database, as two replicas would be.
  std::unique_ptr<Store> other = open_another();
  ASSERT_NE(other, nullptr);
  constexpr std::int64_t kLimit = 1000;
  constexpr std::int64_t kAmount = 7;
  std::atomic<std::int64_t> granted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 ? *other : *store_;
      for (int i = 0; i < 20; ++i) {
        auto reserved = store.reserve_spend(42, "2026-11", kAmount, kLimit);
        if (!reserved) {
          errors.fetch_add(1);
        } else if (*reserved) {
          granted.fetch_add(kAmount);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  // 320 attempts of 7 against 1000: exactly floor(1000 / 7) succeed, never more.
  EXPECT_EQ(granted.load(), kLimit / kAmount * kAmount);
  auto counter = store_->get_spend(42, "2026-11");
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(counter->reserved_micros, granted.load());
  EXPECT_TRUE(other->close().ok());
}

}  // namespace
}  // namespace osprey::store::testing
