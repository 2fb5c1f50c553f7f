#include "jobs/retry_decision.h"

#include <gtest/gtest.h>

namespace osprey::jobs {
namespace {

using namespace std::chrono_literals;

RetryPolicy policy() {
  RetryPolicy p;
  p.base_delay = 100ms;
  p.max_delay = 1000ms;
  return p;
}

TEST(RetryDecision, SuccessIsDoneAndPermanentIsDeadAtOnce) {
  Rng rng(1);
  EXPECT_EQ(decide_retry(ItemResult::success(1), 1, 3, policy(), rng).transition,
            Transition::kDone);
  EXPECT_EQ(decide_retry(ItemResult::failure(Outcome::kPermanent, "x", ""), 1, 3, policy(), rng)
                .transition,
            Transition::kDead);
}

TEST(RetryDecision, RetryableRetriesUntilTheLastAttemptThenDies) {
  Rng rng(1);
  const ItemResult fail = ItemResult::failure(Outcome::kRetryable, "x", "");
  EXPECT_EQ(decide_retry(fail, 1, 3, policy(), rng).transition, Transition::kRetry);
  EXPECT_EQ(decide_retry(fail, 2, 3, policy(), rng).transition, Transition::kRetry);
  EXPECT_EQ(decide_retry(fail, 3, 3, policy(), rng).transition, Transition::kDead);
  EXPECT_EQ(decide_retry(fail, 1, 1, policy(), rng).transition, Transition::kDead);
}

TEST(RetryDecision, BackoffIsCappedExponentialWithFullJitter) {
  Rng rng(7);
  const ItemResult fail = ItemResult::failure(Outcome::kRetryable, "x", "");
  for (int attempt = 1; attempt < 10; ++attempt) {
    const auto cap = std::min<std::chrono::milliseconds>(1000ms, 100ms * (1 << (attempt - 1)));
    std::chrono::milliseconds lo = 10s, hi = 0ms;
    for (int i = 0; i < 500; ++i) {
      const auto d = decide_retry(fail, attempt, 100, policy(), rng).delay;
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    EXPECT_GE(lo, 0ms);
    EXPECT_LE(hi, cap) << "attempt " << attempt;
    // Full jitter spreads over the whole range, not just near the cap.
    EXPECT_LT(lo, cap / 4) << "attempt " << attempt;
    EXPECT_GT(hi, cap * 3 / 4) << "attempt " << attempt;
  }
}

TEST(RetryDecision, RateLimitedDefersWithoutDyingAndHonoursRetryAfter) {
  Rng rng(3);
  ItemResult limited = ItemResult::failure(Outcome::kRateLimited, "rate_limited", "");
  limited.retry_after = 5000ms;
  // Even on the last attempt a rate-limited item is deferred, never dead-lettered.
  RetryDecision d = decide_retry(limited, 3, 3, policy(), rng);
  EXPECT_EQ(d.transition, Transition::kDefer);
  EXPECT_EQ(d.delay, 5000ms);
  limited.retry_after.reset();
  EXPECT_LE(decide_retry(limited, 1, 3, policy(), rng).delay, 100ms);
}

TEST(RetryDecision, RetryAfterIsAFloorOnRetryableBackoff) {
  Rng rng(3);
  ItemResult fail = ItemResult::failure(Outcome::kRetryable, "x", "");
  fail.retry_after = 700ms;
  EXPECT_GE(decide_retry(fail, 1, 3, policy(), rng).delay, 700ms);
}

}  // namespace
}  // namespace osprey::jobs
