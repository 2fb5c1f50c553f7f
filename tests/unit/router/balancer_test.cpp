#include "router/balancer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "router/outstanding_guard.h"

namespace osprey::router {
namespace {

using std::chrono::seconds;

class BalancerTest : public ::testing::Test {
 protected:
  DeploymentState& add(const std::string& id, double weight = 1.0, int trial_calls = 1) {
    DeploymentOptions o;
    o.id = id;
    o.weight = weight;
    o.breaker.consecutive_failures = 1;
    o.breaker.error_rate_threshold = 0;
    o.breaker.open_duration = seconds(5);
    o.breaker.max_half_open_calls = trial_calls;
    o.health.unhealthy_threshold = 1;
    o.health.healthy_threshold = 1;
    owned.push_back(std::make_unique<DeploymentState>(o, clock));
    all.push_back(owned.back().get());
    return *owned.back();
  }
  static void open_breaker(DeploymentState& d) { d.breaker().try_acquire().failure(); }
  // Share of `n` picks that went to each deployment id.
  std::map<std::string, double> shares(int n, std::span<const DeploymentState* const> excluded = {},
                                       ExclusionMode mode = ExclusionMode::kPrefer) {
    std::map<std::string, int> counts;
    for (int i = 0; i < n; ++i) {
      DeploymentState* d = pick(all, rng, excluded, mode);
      ++counts[d == nullptr ? "<none>" : d->id()];
    }
    std::map<std::string, double> result;
    for (const auto& [id, count] : counts) result[id] = static_cast<double>(count) / n;
    return result;
  }

  ManualClock clock;
  Rng rng{12345};
  std::vector<std::unique_ptr<DeploymentState>> owned;
  std::vector<DeploymentState*> all;
};

TEST_F(BalancerTest, NothingToPickFromGivesNull) {
  EXPECT_EQ(pick(all, rng), nullptr);
  all.push_back(nullptr);
  EXPECT_EQ(pick(all, rng), nullptr);
  EXPECT_FALSE(select(all, rng));
}

TEST_F(BalancerTest, NeverPicksUnhealthyOrOpen) {
  add("healthy");
  add("sick").health().record_probe(false);
  open_breaker(add("broken"));
  const auto s = shares(10'000);
  EXPECT_EQ(s.size(), 1u);
  EXPECT_DOUBLE_EQ(s.at("healthy"), 1.0);
}

TEST_F(BalancerTest, AllUnavailableGivesNull) {
  add("sick").health().record_probe(false);
  open_breaker(add("broken"));
  EXPECT_EQ(pick(all, rng), nullptr);
  EXPECT_FALSE(select(all, rng));
}

TEST_F(BalancerTest, RecoveredDeploymentsComeBack) {
  DeploymentState& sick = add("sick");
  sick.health().record_probe(false);
  DeploymentState& broken = add("broken");
  open_breaker(broken);
  EXPECT_EQ(pick(all, rng), nullptr);
  sick.health().record_probe(true);
  EXPECT_EQ(pick(all, rng), &sick);
  sick.health().record_probe(false);
  clock.advance(seconds(5));
  EXPECT_EQ(pick(all, rng), &broken);  // half-open: a trial call is allowed
}

TEST_F(BalancerTest, WeightsSplitTrafficAtEqualLoad) {
  add("big", 3);
  add("small", 1);
  const auto s = shares(10'000);
  EXPECT_NEAR(s.at("big"), 0.75, 0.05);
  EXPECT_NEAR(s.at("small"), 0.25, 0.05);
}

TEST_F(BalancerTest, WeightsSplitTrafficAmongThree) {
  add("a", 1);
  add("b", 2);
  add("c", 1);
  const auto s = shares(10'000);
  EXPECT_NEAR(s.at("a"), 0.25, 0.03);
  EXPECT_NEAR(s.at("b"), 0.50, 0.03);
  EXPECT_NEAR(s.at("c"), 0.25, 0.03);
}

TEST_F(BalancerTest, PrefersFewerOutstanding) {
  DeploymentState& busy = add("busy");
  add("idle");
  std::vector<OutstandingGuard> guards;
  for (int i = 0; i < 3; ++i) guards.emplace_back(busy);
  const auto s = shares(1000);
  EXPECT_DOUBLE_EQ(s.at("idle"), 1.0);
}

TEST_F(BalancerTest, TheMostLoadedOfThreeIsNeverPicked) {
  DeploymentState& busy = add("busy");
  DeploymentState& some = add("some");
  add("idle");
  std::vector<OutstandingGuard> guards;
  for (int i = 0; i < 5; ++i) guards.emplace_back(busy);
  guards.emplace_back(some);
  const auto s = shares(10'000);
  EXPECT_EQ(s.count("busy"), 0u);
  // The idle one wins every pair it is in (2 of 3 pairs); the pair without it goes to "some".
  EXPECT_NEAR(s.at("idle"), 2.0 / 3, 0.03);
  EXPECT_NEAR(s.at("some"), 1.0 / 3, 0.03);
}

TEST_F(BalancerTest, LoadIsNormalizedByWeight) {
  DeploymentState& big = add("big", 4);
  DeploymentState& small = add("small", 1);
  std::vector<OutstandingGuard> guards;
  for (int i = 0; i < 4; ++i) guards.emplace_back(big);    // 4 / 4 = 1
  for (int i = 0; i < 2; ++i) guards.emplace_back(small);  // 2 / 1 = 2
  const auto s = shares(1000);
  EXPECT_DOUBLE_EQ(s.at("big"), 1.0);
}

TEST_F(BalancerTest, HeldRequestsSpreadByWeight) {
  // Requests that stay in flight: least-load keeps outstanding/weight level, so the split of
  // 400 concurrent requests follows the 3:1 weights closely.
  DeploymentState& big = add("big", 3);
  DeploymentState& small = add("small", 1);
  std::vector<OutstandingGuard> guards;
  for (int i = 0; i < 400; ++i) guards.emplace_back(*pick(all, rng));
  EXPECT_NEAR(big.outstanding(), 300, 3);
  EXPECT_NEAR(small.outstanding(), 100, 3);
}

TEST_F(BalancerTest, ExclusionPrefersAnotherDeployment) {
  DeploymentState& failed = add("failed");
  add("other");
  const DeploymentState* excluded[] = {&failed};
  const auto s = shares(1000, excluded);
  EXPECT_DOUBLE_EQ(s.at("other"), 1.0);
}

TEST_F(BalancerTest, ExcludedIsTheFallbackWhenItIsTheOnlyChoice) {
  DeploymentState& failed = add("failed");
  add("sick").health().record_probe(false);
  const DeploymentState* excluded[] = {&failed};
  EXPECT_EQ(pick(all, rng, excluded), &failed);
  EXPECT_EQ(pick(all, rng, excluded, ExclusionMode::kStrict), nullptr);
}

TEST_F(BalancerTest, ExclusionStillRespectsAvailability) {
  DeploymentState& failed = add("failed");
  const DeploymentState* excluded[] = {&failed};
  open_breaker(failed);
  EXPECT_EQ(pick(all, rng, excluded), nullptr);
}

TEST_F(BalancerTest, SameSeedSamePicks) {
  add("a", 2);
  add("b", 1);
  add("c", 1);
  Rng first(7);
  Rng second(7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(pick(all, first), pick(all, second));
}

TEST_F(BalancerTest, SelectHoldsAPermitAndAnOutstandingCount) {
  DeploymentState& d = add("a");
  {
    Selection selection = select(all, rng);
    ASSERT_TRUE(selection);
    EXPECT_EQ(selection.deployment, &d);
    EXPECT_TRUE(selection.permit.allowed());
    EXPECT_EQ(d.outstanding(), 1);
    selection.permit.failure();
  }
  EXPECT_EQ(d.outstanding(), 0);
  EXPECT_EQ(d.breaker().state(), CircuitState::kOpen);  // the reported failure counted
}

TEST_F(BalancerTest, SelectSkipsADeploymentWhoseTrialSlotIsTaken) {
  DeploymentState& recovering = add("recovering");
  open_breaker(recovering);
  clock.advance(seconds(5));
  Selection trial = select(all, rng);
  ASSERT_TRUE(trial);
  EXPECT_EQ(trial.deployment, &recovering);
  EXPECT_FALSE(select(all, rng));  // the single trial slot is in use

  DeploymentState& healthy = add("healthy");
  for (int i = 0; i < 50; ++i) {
    Selection s = select(all, rng);
    ASSERT_TRUE(s);
    EXPECT_EQ(s.deployment, &healthy);
    s.permit.success();
  }
  trial.permit.success();
  EXPECT_EQ(recovering.breaker().state(), CircuitState::kClosed);
}

TEST_F(BalancerTest, ConcurrentSelectsNeverExceedTheTrialSlots) {
  DeploymentState& recovering = add("recovering", 1.0, /*trial_calls=*/2);
  open_breaker(recovering);
  clock.advance(seconds(5));
  // Outcomes are never reported, so granted slots stay taken until `held` is cleared.
  std::vector<std::vector<Selection>> held(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Rng local(static_cast<unsigned>(t));
      for (int i = 0; i < 500; ++i) {
        if (Selection s = select(all, local)) held[t].push_back(std::move(s));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::size_t granted = 0;
  for (const auto& h : held) granted += h.size();
  EXPECT_EQ(granted, 2u);
  EXPECT_EQ(recovering.outstanding(), 2);
  held.clear();  // abandons the trials: frees the slots without closing the breaker
  EXPECT_EQ(recovering.outstanding(), 0);
  EXPECT_EQ(recovering.breaker().state(), CircuitState::kHalfOpen);
  EXPECT_TRUE(recovering.available());
}

TEST_F(BalancerTest, ConcurrentSelectionsLeaveNoOutstandingBehind) {
  add("a", 1);
  add("b", 2);
  add("c", 1);
  std::vector<std::thread> threads;
  std::atomic<int> served{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Rng local(static_cast<unsigned>(100 + t));
      for (int i = 0; i < 2000; ++i) {
        Selection s = select(all, local);
        if (!s) continue;
        served.fetch_add(1);
        s.permit.success();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(served.load(), 8000);  // nothing ever fails, so every select succeeds
  for (const DeploymentState* d : all) EXPECT_EQ(d->outstanding(), 0) << d->id();
}

}  // namespace
}  // namespace osprey::router
