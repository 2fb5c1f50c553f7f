#include "router/deployment_state.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "router/outstanding_guard.h"

namespace osprey::router {
namespace {

DeploymentOptions options(std::string id, double weight) {
  DeploymentOptions o;
  o.id = std::move(id);
  o.weight = weight;
  o.breaker.consecutive_failures = 2;
  o.breaker.error_rate_threshold = 0;
  o.breaker.open_duration = std::chrono::seconds(5);
  o.health.healthy_threshold = 1;
  o.health.unhealthy_threshold = 1;
  return o;
}

TEST(DeploymentState, AvailableOnlyWhenHealthyAndBreakerAdmits) {
  ManualClock clock;
  DeploymentState d(options("a", 1), clock);
  EXPECT_TRUE(d.available());
  d.health().record_probe(false);
  EXPECT_FALSE(d.available());
  d.health().record_probe(true);
  EXPECT_TRUE(d.available());
  for (int i = 0; i < 2; ++i) d.breaker().try_acquire().failure();
  EXPECT_TRUE(d.healthy());
  EXPECT_FALSE(d.available());
  clock.advance(std::chrono::seconds(5));
  EXPECT_TRUE(d.available());  // a half-open trial is possible
}

TEST(DeploymentState, BreakerChangesReachTheCallback) {
  ManualClock clock;
  std::vector<CircuitState> seen;
  DeploymentState d(options("a", 1), clock,
                    [&](CircuitState, CircuitState to) { seen.push_back(to); });
  for (int i = 0; i < 2; ++i) d.breaker().try_acquire().failure();
  EXPECT_EQ(seen, std::vector<CircuitState>{CircuitState::kOpen});
}

TEST(DeploymentState, LoadIsOutstandingPerWeight) {
  ManualClock clock;
  DeploymentState d(options("a", 4), clock);
  EXPECT_EQ(d.id(), "a");
  EXPECT_DOUBLE_EQ(d.weight(), 4);
  std::vector<OutstandingGuard> guards;
  for (int i = 0; i < 6; ++i) guards.emplace_back(d);
  EXPECT_EQ(d.outstanding(), 6);
  EXPECT_DOUBLE_EQ(d.load(), 1.5);
}

TEST(DeploymentState, InvalidWeightIsClampedPositive) {
  ManualClock clock;
  DeploymentState zero(options("z", 0), clock);
  DeploymentState negative(options("n", -3), clock);
  EXPECT_GT(zero.weight(), 0);
  EXPECT_GT(negative.weight(), 0);
  OutstandingGuard guard(zero);
  EXPECT_GT(zero.load(), 1e6);  // finite but huge: loses every comparison
}

TEST(DeploymentOptions, ValidateChecksEveryPart) {
  EXPECT_TRUE(validate(options("a", 1)).ok());
  auto status = validate(options("", 1));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("id"), std::string::npos);
  status = validate(options("a", 0));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("weight"), std::string::npos);
  DeploymentOptions o = options("gpu-1", 1);
  o.breaker.max_half_open_calls = 0;
  status = validate(o);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("gpu-1"), std::string::npos);
  EXPECT_NE(status.error().message.find("max_half_open_calls"), std::string::npos);
  o = options("gpu-2", 1);
  o.health.unhealthy_threshold = 0;
  status = validate(o);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("unhealthy_threshold"), std::string::npos);
}

TEST(OutstandingGuard, CountsWhileAliveAndMovesOwnership) {
  ManualClock clock;
  DeploymentState d(options("a", 1), clock);
  {
    OutstandingGuard first(d);
    EXPECT_EQ(d.outstanding(), 1);
    OutstandingGuard second = std::move(first);
    EXPECT_EQ(d.outstanding(), 1);
    EXPECT_EQ(second.deployment(), &d);
    OutstandingGuard third(d);
    EXPECT_EQ(d.outstanding(), 2);
    third = std::move(second);  // third's own count is released
    EXPECT_EQ(d.outstanding(), 1);
    third.release();
    third.release();
    EXPECT_EQ(d.outstanding(), 0);
    OutstandingGuard fourth(d);
  }
  EXPECT_EQ(d.outstanding(), 0);
  OutstandingGuard empty;
  EXPECT_EQ(empty.deployment(), nullptr);
}

}  // namespace
}  // namespace osprey::router
