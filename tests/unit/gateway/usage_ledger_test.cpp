// The usage ledger writer: batches by size and by time, keeps rows across store failures,
// drops only rows the store calls invalid, and writes everything on stop().
#include "gateway/usage/usage_ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "store/tenancy_input.h"
#include "unit/gateway/temp_store.h"

namespace osprey::gateway {
namespace {

using namespace std::chrono_literals;

// Writes to a real store; the next `fail_appends` writes fail, and successful ones are counted.
struct FlakySink {
  store::Store& store;
  std::atomic<int> fail_appends{0};
  std::atomic<int> appends{0};

  UsageSink sink() {
    return [this](std::span<const store::UsageRecord> rows) -> Status {
      if (fail_appends.load() > 0) {
        --fail_appends;
        return make_error(ErrorCode::kStoreError, "disk on fire");
      }
      Status st = store.append_usage(rows);
      if (st.ok()) ++appends;
      return st;
    };
  }
};

class UsageLedgerTest : public ::testing::Test {
 protected:
  // Built from a template row: assigning short literals here trips GCC 12's false -Wrestrict.
  store::UsageRecord row(std::int64_t tokens_in = 1) {
    store::UsageRecord r = template_;
    r.at = store::format_timestamp(std::chrono::system_clock::now());
    r.tenant_id = tenant_;
    r.tokens_in = tokens_in;
    return r;
  }
  std::int64_t stored_rows() {
    auto groups = real_->aggregate_usage({}, store::UsageGroupBy::kTenant);
    if (!groups) return -1;
    std::int64_t n = 0;
    for (const auto& g : groups.value()) n += g.requests;
    return n;
  }

  testing::TempStore real_;
  std::int64_t tenant_ = real_.tenant("acme");
  FlakySink store_{*real_};
  metrics::Registry metrics_;
  const store::UsageRecord template_{.at = {},
                                     .tenant_id = 0,
                                     .key_id = 1,
                                     .model = std::string("m"),
                                     .deployment = std::string("m@d"),
                                     .status = 200};
};

TEST_F(UsageLedgerTest, WritesAFullBatchWithoutWaitingForTheInterval) {
  UsageLedger ledger(store_.sink(), metrics_, {.flush_interval = 1h, .batch_size = 10});
  ledger.start();
  for (int i = 0; i < 10; ++i) ledger.record(row());
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (ledger.written() < 10 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(ledger.written(), 10u);
  EXPECT_EQ(store_.appends.load(), 1);  // one transaction for the batch
  EXPECT_EQ(stored_rows(), 10);
  ledger.stop();
}

TEST_F(UsageLedgerTest, WritesAPartialBatchAfterTheInterval) {
  UsageLedger ledger(store_.sink(), metrics_, {.flush_interval = 20ms, .batch_size = 1000});
  ledger.start();
  for (int i = 0; i < 3; ++i) ledger.record(row());
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (ledger.written() < 3 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(ledger.written(), 3u);
  EXPECT_EQ(ledger.pending(), 0u);
  ledger.stop();
}

// Rows that arrive while a batch is being written are not chased in a small batch of their own
// (a transaction for every few rows): they wait until a batch is full (or the interval ends).
TEST_F(UsageLedgerTest, RowsArrivingDuringAWriteWaitForTheNextFullBatch) {
  std::promise<void> entered;
  std::future<void> writing = entered.get_future();
  std::promise<void> release;
  const std::shared_future<void> released = release.get_future().share();
  std::vector<std::size_t> sizes;  // the writer's only, until stop() has joined it
  UsageSink stored = store_.sink();
  UsageSink sink = [&](std::span<const store::UsageRecord> rows) {
    sizes.push_back(rows.size());
    if (sizes.size() == 1) {
      entered.set_value();
      released.wait();
    }
    return stored(rows);
  };
  UsageLedger ledger(sink, metrics_, {.flush_interval = 1h, .batch_size = 10});
  ledger.start();
  for (int i = 0; i < 10; ++i) ledger.record(row());
  writing.wait();  // the first 10 rows are being written
  for (int i = 0; i < 3; ++i) ledger.record(row());
  release.set_value();
  const auto wait_written = [&](std::uint64_t n) {
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (ledger.written() < n && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(1ms);
    }
    return ledger.written();
  };
  // written() moves under the lock in which the writer decides what to write next.
  ASSERT_EQ(wait_written(10), 10u);
  EXPECT_EQ(ledger.pending(), 3u);
  for (int i = 0; i < 7; ++i) ledger.record(row());
  EXPECT_EQ(wait_written(20), 20u);
  ledger.stop();
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10}));
  EXPECT_EQ(stored_rows(), 20);
}

TEST_F(UsageLedgerTest, FlushWaitsUntilRowsAreStored) {
  UsageLedger ledger(store_.sink(), metrics_, {.flush_interval = 1h, .batch_size = 1000});
  ledger.start();
  for (int i = 0; i < 25; ++i) ledger.record(row());
  ledger.flush();
  EXPECT_EQ(stored_rows(), 25);
  ledger.stop();
}

TEST_F(UsageLedgerTest, StoreFailuresAreRetriedWithoutLosingRows) {
  store_.fail_appends = 3;
  UsageLedger ledger(store_.sink(), metrics_,
                     {.flush_interval = 5ms, .batch_size = 4, .retry_delay = 1ms});
  ledger.start();
  for (int i = 0; i < 9; ++i) ledger.record(row(i + 1));
  ledger.flush();
  EXPECT_EQ(store_.fail_appends.load(), 0);
  EXPECT_EQ(stored_rows(), 9);
  EXPECT_EQ(metrics_.counter("osprey_usage_ledger_write_errors_total", "").with().value(), 3);
  auto by_tenant = real_->aggregate_usage({}, store::UsageGroupBy::kTenant);
  ASSERT_TRUE(by_tenant.ok());
  EXPECT_EQ((*by_tenant)[0].tokens_in, 45);  // 1 + ... + 9: every row exactly once
  ledger.stop();
}

TEST_F(UsageLedgerTest, StopWritesEverythingQueued) {
  {
    UsageLedger ledger(store_.sink(), metrics_, {.flush_interval = 1h, .batch_size = 7});
    ledger.start();
    for (int i = 0; i < 50; ++i) ledger.record(row());
    ledger.stop();
    EXPECT_EQ(ledger.written(), 50u);
    ledger.record(row());  // after stop: not written, counted
  }
  EXPECT_EQ(stored_rows(), 50);
  EXPECT_EQ(metrics_.counter("osprey_usage_ledger_dropped_total", "").with().value(), 1);
}

TEST_F(UsageLedgerTest, AnInvalidRowIsDroppedAndTheOthersStored) {
  UsageLedger ledger(store_.sink(), metrics_, {.flush_interval = 1h, .batch_size = 100});
  ledger.start();
  ledger.record(row());
  store::UsageRecord bad = row();
  bad.tokens_in = -5;
  ledger.record(bad);
  ledger.record(row());
  ledger.stop();
  EXPECT_EQ(stored_rows(), 2);
  EXPECT_EQ(metrics_.counter("osprey_usage_ledger_dropped_total", "").with().value(), 1);
}

}  // namespace
}  // namespace osprey::gateway
