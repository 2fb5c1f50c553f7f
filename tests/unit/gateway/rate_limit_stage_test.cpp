// Per-key limits: requests/s with burst, tokens/minute charged by estimate and reconciled with
// real usage, max concurrent, the 429 answer's Retry-After and the x-ratelimit-* headers.
#include "gateway/limits/rate_limit_stage.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/clock.h"

namespace osprey::gateway {
namespace {

using namespace std::chrono_literals;

std::map<std::string, std::string> as_map(const HeaderList& headers) {
  return {headers.begin(), headers.end()};
}

class RateLimitStageTest : public ::testing::Test {
 protected:
  Principal key(UsagePlan plan, std::int64_t key_id = 1) {
    Principal p;
    p.tenant_id = 1;
    p.key_id = key_id;
    p.plan = plan;
    return p;
  }

  ManualClock clock_;
  TokenBucketMap buckets_{clock_};
  ConcurrencyLimiter concurrency_;
  RateLimitStage stage_{buckets_, concurrency_};
};

TEST_F(RateLimitStageTest, PlanWithoutLimitsTouchesNothing) {
  RateLimitDecision d = stage_.admit(key({}), 1'000'000);
  EXPECT_FALSE(d.rejection);
  EXPECT_TRUE(d.headers.empty());
  EXPECT_EQ(buckets_.size(), 0u);
  EXPECT_EQ(concurrency_.size(), 0u);
  stage_.release(d.grant, 5);
  EXPECT_EQ(buckets_.size(), 0u);
}

TEST_F(RateLimitStageTest, BurstThenRefusalWithRetryAfterThenRecovery) {
  UsagePlan plan;
  plan.requests_per_second = 5;  // burst defaults to 5
  const Principal p = key(plan);
  for (int i = 0; i < 5; ++i) {
    RateLimitDecision d = stage_.admit(p, 0);
    ASSERT_FALSE(d.rejection) << i;
    auto h = as_map(d.headers);
    EXPECT_EQ(h["x-ratelimit-limit-requests"], "5");
    EXPECT_EQ(h["x-ratelimit-remaining-requests"], std::to_string(4 - i));
    EXPECT_EQ(h.count("x-ratelimit-limit-tokens"), 0u);
  }
  RateLimitDecision refused = stage_.admit(p, 0);
  ASSERT_TRUE(refused.rejection);
  EXPECT_EQ(refused.rejection->code, ErrorCode::kRateLimited);
  EXPECT_STREQ(refused.reason, "requests");
  EXPECT_EQ(refused.retry_after_seconds, 1);  // 0.2 s rounded up
  auto h = as_map(refused.headers);
  EXPECT_EQ(h["retry-after"], "1");
  EXPECT_EQ(h["x-ratelimit-remaining-requests"], "0");
  EXPECT_EQ(h["x-ratelimit-reset-requests"], "1s");  // 5 missing at 5/s

  clock_.advance(200ms);
  EXPECT_FALSE(stage_.admit(p, 0).rejection);
  EXPECT_TRUE(stage_.admit(p, 0).rejection);
  // Another key has its own bucket.
  EXPECT_FALSE(stage_.admit(key(plan, 2), 0).rejection);
}

TEST_F(RateLimitStageTest, ExplicitBurstAndSlowRateRoundRetryAfterUp) {
  UsagePlan plan;
  plan.requests_per_second = 0.25;
  plan.burst = 2;
  const Principal p = key(plan);
  EXPECT_FALSE(stage_.admit(p, 0).rejection);
  EXPECT_FALSE(stage_.admit(p, 0).rejection);
  RateLimitDecision refused = stage_.admit(p, 0);
  ASSERT_TRUE(refused.rejection);
  EXPECT_EQ(refused.retry_after_seconds, 4);
  clock_.advance(1500ms);
  refused = stage_.admit(p, 0);
  ASSERT_TRUE(refused.rejection);
  EXPECT_EQ(refused.retry_after_seconds, 3);  // 2.5 s rounded up
}

TEST_F(RateLimitStageTest, TokensAreReconciledWithRealUsage) {
  UsagePlan plan;
  plan.tokens_per_minute = 600;  // 10 tokens a second
  const Principal p = key(plan);
  RateLimitDecision first = stage_.admit(p, 100);
  ASSERT_FALSE(first.rejection);
  EXPECT_EQ(as_map(first.headers)["x-ratelimit-remaining-tokens"], "500");
  EXPECT_EQ(as_map(first.headers)["x-ratelimit-limit-tokens"], "600");
  EXPECT_EQ(as_map(first.headers)["x-ratelimit-reset-tokens"], "10s");
  stage_.release(first.grant, 550);  // the upstream really used 550
  // 50 left: an estimate of 100 no longer fits although 2 estimates of 100 would have.
  RateLimitDecision second = stage_.admit(p, 100);
  ASSERT_TRUE(second.rejection);
  EXPECT_STREQ(second.reason, "tokens");
  EXPECT_EQ(second.retry_after_seconds, 5);  // 50 missing at 10/s
  EXPECT_EQ(as_map(second.headers)["x-ratelimit-remaining-tokens"], "50");
  // A request that used less than its estimate gives the rest back.
  clock_.advance(5s);
  RateLimitDecision third = stage_.admit(p, 100);
  ASSERT_FALSE(third.rejection);
  stage_.release(third.grant, 10);
  EXPECT_NEAR(buckets_.remaining("tok:1", *RateLimitStage::tokens_limit(plan)).value(), 90, 1e-6);
}

TEST_F(RateLimitStageTest, EstimateAboveTheWholeMinuteWaitsForAFullBucket) {
  UsagePlan plan;
  plan.tokens_per_minute = 60;
  const Principal p = key(plan);
  RateLimitDecision big = stage_.admit(p, 1000);
  ASSERT_FALSE(big.rejection);
  EXPECT_DOUBLE_EQ(big.grant.tokens_taken, 60);
  stage_.release(big.grant, 120);  // 60 tokens of debt
  RateLimitDecision refused = stage_.admit(p, 1000);
  ASSERT_TRUE(refused.rejection);
  EXPECT_EQ(refused.retry_after_seconds, 120);  // pay 60 of debt and refill 60, at 1/s
}

TEST_F(RateLimitStageTest, ConcurrencySlotsAreHeldUntilRelease) {
  UsagePlan plan;
  plan.max_concurrent = 2;
  const Principal p = key(plan);
  RateLimitDecision a = stage_.admit(p, 0);
  RateLimitDecision b = stage_.admit(p, 0);
  ASSERT_FALSE(a.rejection);
  ASSERT_FALSE(b.rejection);
  RateLimitDecision c = stage_.admit(p, 0);
  ASSERT_TRUE(c.rejection);
  EXPECT_STREQ(c.reason, "concurrency");
  EXPECT_EQ(as_map(c.headers)["retry-after"], "1");
  stage_.release(a.grant, std::nullopt);
  EXPECT_FALSE(stage_.admit(p, 0).rejection);
  EXPECT_EQ(concurrency_.in_flight(1), 2);
}

TEST_F(RateLimitStageTest, ALaterRefusalGivesBackWhatEarlierChecksTook) {
  UsagePlan plan;
  plan.max_concurrent = 1;
  plan.requests_per_second = 10;
  plan.tokens_per_minute = 60;
  const Principal p = key(plan);
  RateLimitDecision ok = stage_.admit(p, 60);
  ASSERT_FALSE(ok.rejection);
  stage_.release(ok.grant, 60);
  RateLimitDecision refused = stage_.admit(p, 60);  // tokens empty
  ASSERT_TRUE(refused.rejection);
  EXPECT_STREQ(refused.reason, "tokens");
  EXPECT_EQ(concurrency_.in_flight(1), 0);
  EXPECT_NEAR(buckets_.remaining("req:1", *RateLimitStage::requests_limit(plan)).value(), 9, 1e-6);
}

TEST(FormatResetTest, UsesOpenAiDurationForms) {
  EXPECT_EQ(format_reset(0), "0s");
  EXPECT_EQ(format_reset(0.02), "20ms");
  EXPECT_EQ(format_reset(1), "1s");
  EXPECT_EQ(format_reset(1.5), "1.5s");
  EXPECT_EQ(format_reset(1.05), "1.05s");
  EXPECT_EQ(format_reset(2.0001), "2.001s");
  EXPECT_EQ(format_reset(59.9999), "60s");
  EXPECT_EQ(format_reset(0.0001), "1ms");
  EXPECT_EQ(format_reset(360), "6m0s");
  EXPECT_EQ(format_reset(61.2), "1m2s");
}

}  // namespace
}  // namespace osprey::gateway
