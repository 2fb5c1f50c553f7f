// Ledger aggregation on SQLite at the size the tenancy issue names: 1,000,000 usage rows, then
// aggregate_usage by tenant, tag, model and day over the whole range (the /admin/usage target
// is < 200 ms). Setup (a fresh database in a temp dir, rows appended in batches of 10,000, as
// the gateway's ledger writer would) runs once and its time is printed.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using osprey::store::Store;
using osprey::store::UsageFilter;
using osprey::store::UsageGroupBy;
using osprey::store::UsageRecord;

constexpr int kRows = 1'000'000;
constexpr int kBatch = 10'000;
constexpr int kTenants = 50;
constexpr int kModels = 20;
constexpr int kDays = 30;

struct BenchDatabase {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;

  ~BenchDatabase() {
    if (store) (void)store->close();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

void fail(const std::string& what) {
  std::fprintf(stderr, "setup failed: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<BenchDatabase> build() {
  auto db = std::make_unique<BenchDatabase>();
  db->dir = std::filesystem::temp_directory_path() /
            ("osprey_ledger_bench_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(db->dir);
  auto store = osprey::store::open_store({"sqlite:" + (db->dir / "bench.db").string()});
  if (!store) fail(store.error().message);
  db->store = std::move(*store);
  if (auto s = db->store->migrate(); !s) fail(s.error().message);

  std::vector<std::int64_t> tenants;
  for (int t = 0; t < kTenants; ++t) {
    const std::string tags = R"({"team":"team)" + std::to_string(t % 5) + R"(","project":"p)" +
                             std::to_string(t % 7) + "\"}";
    auto tenant = db->store->create_tenant("tenant" + std::to_string(t), tags);
    if (!tenant) fail(tenant.error().message);
    tenants.push_back(tenant->id);
  }
  std::mt19937_64 rng(42);
  const auto started = std::chrono::steady_clock::now();
  std::vector<UsageRecord> batch(kBatch);
  for (int done = 0; done < kRows; done += kBatch) {
    for (UsageRecord& r : batch) {
      const int day = 1 + static_cast<int>(rng() % kDays);
      char at[32];
      std::snprintf(at, sizeof(at), "2026-11-%02dT%02d:%02d:00Z", day, static_cast<int>(rng() % 24),
                    static_cast<int>(rng() % 60));
      r.at = at;
      r.tenant_id = tenants[rng() % kTenants];
      r.key_id = r.tenant_id * 10 + static_cast<std::int64_t>(rng() % 3);
      r.model = "model-" + std::to_string(rng() % kModels);
      r.deployment = r.model + "-a";
      r.tokens_in = static_cast<std::int64_t>(rng() % 2000);
      r.tokens_out = static_cast<std::int64_t>(rng() % 1000);
      r.cost_micros = r.tokens_in * 3 + r.tokens_out * 15;
      r.latency_ms = static_cast<std::int64_t>(rng() % 5000);
      r.status = rng() % 50 == 0 ? 500 : 200;
      r.cache_hit = rng() % 10 == 0;
    }
    if (auto s = db->store->append_usage(batch); !s) fail(s.error().message);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "appended %d rows in batches of %d in %.1f s (%.0f rows/s)\n", kRows, kBatch,
               seconds, kRows / seconds);
  return db;
}

Store& bench_store() {
  static std::unique_ptr<BenchDatabase> db = build();
  return *db->store;
}

void run(benchmark::State& state, UsageGroupBy by, UsageFilter filter) {
  Store& store = bench_store();
  std::size_t groups = 0;
  for (auto _ : state) {
    auto result = store.aggregate_usage(filter, by);
    if (!result) {
      state.SkipWithError(result.error().message.c_str());
      return;
    }
    groups = result->size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["groups"] = static_cast<double>(groups);
}

void BM_AggregateByTenant(benchmark::State& state) {
  run(state, UsageGroupBy::kTenant, {std::nullopt, "2026-11-01", "2026-12-01", ""});
}
void BM_AggregateByTag(benchmark::State& state) {
  run(state, UsageGroupBy::kTag, {std::nullopt, "2026-11-01", "2026-12-01", "team"});
}
void BM_AggregateByModel(benchmark::State& state) {
  run(state, UsageGroupBy::kModel, {std::nullopt, "2026-11-01", "2026-12-01", ""});
}
void BM_AggregateByDay(benchmark::State& state) {
  run(state, UsageGroupBy::kDay, {std::nullopt, "2026-11-01", "2026-12-01", ""});
}
void BM_AggregateOneTenantByDay(benchmark::State& state) {
  run(state, UsageGroupBy::kDay, {1, "2026-11-01", "2026-12-01", ""});
}
void BM_MonthSpend(benchmark::State& state) {
  Store& store = bench_store();
  for (auto _ : state) {
    auto spend = store.month_spend(1, "2026-11");
    if (!spend) {
      state.SkipWithError(spend.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(spend);
  }
}

BENCHMARK(BM_AggregateByTenant)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AggregateByTag)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AggregateByModel)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AggregateByDay)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AggregateOneTenantByDay)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MonthSpend)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
