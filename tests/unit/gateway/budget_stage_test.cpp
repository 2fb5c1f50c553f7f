// Monthly tenant budgets: atomic reservations, refusal with budget_exceeded and an audit entry,
// settlement with the real cost, and one alert per tenant-month at the configured ratio.
#include "gateway/limits/budget_stage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "unit/gateway/temp_store.h"

namespace osprey::gateway {
namespace {

class BudgetStageTest : public ::testing::Test {
 protected:
  Principal principal(std::int64_t budget_micros) {
    Principal p;
    p.tenant_id = tenant_;
    p.tenant_name = "acme";
    p.key_id = 7;
    p.key_prefix = "osp_test";
    p.plan.monthly_budget_micros = budget_micros;
    return p;
  }
  std::string month() const { return BudgetStage::utc_month(clock_.wall_now()); }
  double alerts() {
    return metrics_.counter("osprey_budget_alerts_total", "", {"tenant"}).with({"acme"}).value();
  }

  testing::TempStore store_;
  std::int64_t tenant_ = store_.tenant("acme");
  ManualClock clock_;
  metrics::Registry metrics_;
  BudgetStage stage_{*store_, clock_, metrics_, 0.8};
};

TEST_F(BudgetStageTest, PlanWithoutBudgetReservesNothing) {
  Result<BudgetReservation> r = stage_.reserve(principal(0), 1'000'000);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->active);
  EXPECT_EQ(store_->get_spend(tenant_, month())->reserved_micros, 0);
}

TEST_F(BudgetStageTest, ReservesUntilTheBudgetThenRefusesWithAnAuditEntry) {
  const Principal p = principal(1000);
  Result<BudgetReservation> a = stage_.reserve(p, 600);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->active);
  EXPECT_EQ(a->month, month());
  Result<BudgetReservation> b = stage_.reserve(p, 500);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.code(), ErrorCode::kBudgetExceeded);
  EXPECT_NE(b.error().message.find("acme"), std::string::npos);
  auto audit = store_->list_audit(1, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "budget.block");
  EXPECT_EQ((*audit)[0].actor, "key:osp_test");
  EXPECT_EQ((*audit)[0].target, "tenant:acme");

  // Settling with a lower real cost frees the difference for the next request.
  stage_.settle(*a, 300);
  store::SpendCounter spend = store_->get_spend(tenant_, month()).value();
  EXPECT_EQ(spend.spent_micros, 300);
  EXPECT_EQ(spend.reserved_micros, 0);
  EXPECT_TRUE(stage_.reserve(p, 500).ok());
}

TEST_F(BudgetStageTest, ConcurrentReservationsNeverOvershoot) {
  const Principal p = principal(1000);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        if (stage_.reserve(p, 100).ok()) ++granted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 10);
  EXPECT_EQ(store_->get_spend(tenant_, month())->reserved_micros, 1000);
}

TEST_F(BudgetStageTest, AlertFiresOnceWhenSpendCrossesTheRatio) {
  const Principal p = principal(1000);
  for (int i = 0; i < 7; ++i) {
    Result<BudgetReservation> r = stage_.reserve(p, 100);
    ASSERT_TRUE(r.ok());
    stage_.settle(*r, 100);
  }
  EXPECT_EQ(alerts(), 0);  // 700 < 800
  for (int i = 0; i < 3; ++i) {
    Result<BudgetReservation> r = stage_.reserve(p, 100);
    ASSERT_TRUE(r.ok());
    stage_.settle(*r, 100);
  }
  EXPECT_EQ(alerts(), 1);
  auto setting =
      store_->get_setting("limits.budget_alert." + std::to_string(tenant_) + "." + month());
  ASSERT_TRUE(setting.ok());
  EXPECT_TRUE(setting->has_value());

  // A second replica (another stage on the same store) does not raise it again.
  metrics::Registry other_metrics;
  BudgetStage replica(*store_, clock_, other_metrics, 0.8);
  Result<BudgetReservation> r = replica.reserve(p, 0);  // free call at the budget: allowed
  ASSERT_TRUE(r.ok());
  replica.settle(*r, 0);
  EXPECT_EQ(
      other_metrics.counter("osprey_budget_alerts_total", "", {"tenant"}).with({"acme"}).value(),
      0);
}

TEST(BudgetMonthTest, IsTheUtcCalendarMonth) {
  using namespace std::chrono;
  const sys_days day = year(2026) / November / 30;
  EXPECT_EQ(BudgetStage::utc_month(day + hours(23) + minutes(59)), "2026-11");
  EXPECT_EQ(BudgetStage::utc_month(day + hours(24)), "2026-12");
}

}  // namespace
}  // namespace osprey::gateway
