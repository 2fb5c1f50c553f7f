// The usage ledger writer: batches by size and by time, keeps rows across store failures,
// drops only rows the store calls invalid, and writes everything on stop().
#include "gateway/usage/usage_ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/tenancy_input.h"
#include "unit/gateway/temp_store.h"

namespace osprey::gateway {
namespace {

using namespace std::chrono_literals;

// Forwards to a real store; append_usage can be made to fail and is counted.
class FlakyStore final : public store::Store {
 public:
  explicit FlakyStore(store::Store& inner) : s_(inner) {}
  std::atomic<int> fail_appends{0};  // this many next append_usage calls fail
  std::atomic<int> appends{0};       // successful append_usage calls

  Status append_usage(std::span<const store::UsageRecord> records) override {
    if (fail_appends.load() > 0) {
      --fail_appends;
      return make_error(ErrorCode::kStoreError, "disk on fire");
    }
    Status st = s_.append_usage(records);
    if (st.ok()) ++appends;
    return st;
  }
  std::string_view backend() const override { return s_.backend(); }
  Status migrate() override { return s_.migrate(); }
  Result<int> schema_version() override { return s_.schema_version(); }
  std::vector<store::MigrationInfo> migrations() const override { return s_.migrations(); }
  Status ping() override { return s_.ping(); }
  Result<std::optional<std::string>> get_setting(std::string_view k) override {
    return s_.get_setting(k);
  }
  Status put_setting(std::string_view k, std::string_view v) override {
    return s_.put_setting(k, v);
  }
  Result<bool> put_setting_if_absent(std::string_view k, std::string_view v) override {
    return s_.put_setting_if_absent(k, v);
  }
  Result<std::vector<std::pair<std::string, std::string>>> list_settings(
      std::string_view p) override {
    return s_.list_settings(p);
  }
  Result<store::Tenant> create_tenant(std::string_view n, std::string_view t) override {
    return s_.create_tenant(n, t);
  }
  Result<std::optional<store::Tenant>> get_tenant(std::int64_t id) override {
    return s_.get_tenant(id);
  }
  Result<std::vector<store::Tenant>> list_tenants() override { return s_.list_tenants(); }
  Status update_tenant_tags(std::int64_t id, std::string_view t) override {
    return s_.update_tenant_tags(id, t);
  }
  Status disable_tenant(std::int64_t id) override { return s_.disable_tenant(id); }
  Result<store::ApiKeyInfo> create_api_key(const store::NewApiKey& k) override {
    return s_.create_api_key(k);
  }
  Result<std::optional<store::AuthenticatedKey>> find_api_key_by_hash(std::string_view h) override {
    return s_.find_api_key_by_hash(h);
  }
  Result<std::vector<store::ApiKeyInfo>> list_api_keys(std::int64_t id) override {
    return s_.list_api_keys(id);
  }
  Status revoke_api_key(std::int64_t id) override { return s_.revoke_api_key(id); }
  Result<std::vector<store::ApiKeyChange>> list_key_changes_since(std::int64_t v,
                                                                  int limit) override {
    return s_.list_key_changes_since(v, limit);
  }
  Result<std::vector<store::UsageAggregate>> aggregate_usage(const store::UsageFilter& f,
                                                             store::UsageGroupBy g) override {
    return s_.aggregate_usage(f, g);
  }
  Result<std::int64_t> month_spend(std::int64_t id, std::string_view m) override {
    return s_.month_spend(id, m);
  }
  Result<bool> reserve_spend(std::int64_t id, std::string_view m, std::int64_t a,
                             std::int64_t l) override {
    return s_.reserve_spend(id, m, a, l);
  }
  Status settle_spend(std::int64_t id, std::string_view m, std::int64_t r,
                      std::int64_t a) override {
    return s_.settle_spend(id, m, r, a);
  }
  Result<store::SpendCounter> get_spend(std::int64_t id, std::string_view m) override {
    return s_.get_spend(id, m);
  }
  Result<AuditEntry> append_audit(const store::NewAuditEntry& e) override {
    return s_.append_audit(e);
  }
  Result<std::vector<AuditEntry>> list_audit(std::int64_t from, int limit) override {
    return s_.list_audit(from, limit);
  }
  Status close() override { return {}; }

 private:
  store::Store& s_;
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
  FlakyStore store_{*real_};
  metrics::Registry metrics_;
  const store::UsageRecord template_{.at = {},
                                     .tenant_id = 0,
                                     .key_id = 1,
                                     .model = std::string("m"),
                                     .deployment = std::string("m@d"),
                                     .status = 200};
};

TEST_F(UsageLedgerTest, WritesAFullBatchWithoutWaitingForTheInterval) {
  UsageLedger ledger(store_, metrics_, {.flush_interval = 1h, .batch_size = 10});
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
  UsageLedger ledger(store_, metrics_, {.flush_interval = 20ms, .batch_size = 1000});
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

TEST_F(UsageLedgerTest, FlushWaitsUntilRowsAreStored) {
  UsageLedger ledger(store_, metrics_, {.flush_interval = 1h, .batch_size = 1000});
  ledger.start();
  for (int i = 0; i < 25; ++i) ledger.record(row());
  ledger.flush();
  EXPECT_EQ(stored_rows(), 25);
  ledger.stop();
}

TEST_F(UsageLedgerTest, StoreFailuresAreRetriedWithoutLosingRows) {
  store_.fail_appends = 3;
  UsageLedger ledger(store_, metrics_,
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
    UsageLedger ledger(store_, metrics_, {.flush_interval = 1h, .batch_size = 7});
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
  UsageLedger ledger(store_, metrics_, {.flush_interval = 1h, .batch_size = 100});
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
