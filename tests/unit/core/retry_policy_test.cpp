#include "core/retry_policy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <optional>
#include <random>

namespace osprey {
namespace {

using std::chrono::milliseconds;

RetryPolicy policy(int attempts, int base_ms, int max_ms, int deadline_ms) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.base_delay = milliseconds(base_ms);
  p.max_delay = milliseconds(max_ms);
  p.total_deadline = milliseconds(deadline_ms);
  return p;
}

TEST(RetryPolicy, DefaultsAreValid) { EXPECT_TRUE(validate(RetryPolicy{}).ok()); }

TEST(RetryPolicy, ValidateNamesTheBadField) {
  auto status = validate(policy(0, 100, 1000, 5000));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kConfigInvalid);
  EXPECT_NE(status.error().message.find("max_attempts"), std::string::npos);

  status = validate(policy(3, 100, 50, 5000));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("max_delay"), std::string::npos);

  status = validate(policy(3, -1, 50, 5000));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("base_delay"), std::string::npos);

  status = validate(policy(3, 100, 1000, 0));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("total_deadline"), std::string::npos);
}

TEST(BackoffDelay, StaysWithinTheDoublingBound) {
  const RetryPolicy p = policy(10, 100, 1'000'000, 10'000'000);
  Rng rng(42);
  for (int attempt = 0; attempt < 8; ++attempt) {
    const milliseconds bound(100LL << attempt);
    milliseconds largest(0);
    for (int i = 0; i < 2000; ++i) {
      const milliseconds d = backoff_delay(p, attempt, rng);
      ASSERT_GE(d.count(), 0);
      ASSERT_LE(d, bound) << "attempt " << attempt;
      largest = std::max(largest, d);
    }
    // Full jitter spreads over the whole range, so the top of it is reached.
    EXPECT_GT(largest, bound * 9 / 10) << "attempt " << attempt;
  }
}

TEST(BackoffDelay, JitterIsSpreadNotConstant) {
  const RetryPolicy p = policy(10, 1000, 1000, 100'000);
  Rng rng(7);
  int below_half = 0;
  const int n = 10'000;
  for (int i = 0; i < n; ++i) {
    if (backoff_delay(p, 0, rng) < milliseconds(500)) ++below_half;
  }
  EXPECT_NEAR(below_half, n / 2, n / 20);  // uniform: half the draws fall in the lower half
}

TEST(BackoffDelay, CappedAtMaxDelay) {
  const RetryPolicy p = policy(100, 100, 3000, 10'000'000);
  Rng rng(1);
  milliseconds largest(0);
  for (int attempt = 5; attempt < 70; ++attempt) {
    for (int i = 0; i < 200; ++i) {
      const milliseconds d = backoff_delay(p, attempt, rng);
      ASSERT_LE(d, milliseconds(3000));
      ASSERT_GE(d.count(), 0);
      largest = std::max(largest, d);
    }
  }
  EXPECT_GT(largest, milliseconds(2900));
}

TEST(BackoffDelay, HugeAttemptsAndDelaysDoNotOverflow) {
  const RetryPolicy p = policy(3, std::numeric_limits<int>::max(), std::numeric_limits<int>::max(),
                               std::numeric_limits<int>::max());
  Rng rng(3);
  for (int attempt : {0, 1, 31, 62, 63, 64, 1000, std::numeric_limits<int>::max()}) {
    const milliseconds d = backoff_delay(p, attempt, rng);
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d, p.max_delay);
  }
}

TEST(BackoffDelay, BadInputsGiveZeroOrBoundedDelays) {
  Rng rng(5);
  EXPECT_EQ(backoff_delay(policy(3, 0, 1000, 5000), 4, rng), milliseconds(0));
  EXPECT_EQ(backoff_delay(policy(3, -50, -10, 5000), 4, rng), milliseconds(0));
  for (int i = 0; i < 100; ++i) {
    EXPECT_LE(backoff_delay(policy(3, 100, 1000, 5000), -3, rng), milliseconds(100));
  }
}

TEST(NextRetryDelay, StopsWhenAttemptsAreExhausted) {
  const RetryPolicy p = policy(3, 10, 100, 60'000);
  Rng rng(11);
  EXPECT_TRUE(next_retry_delay(p, 1, milliseconds(0), std::nullopt, rng).has_value());
  EXPECT_TRUE(next_retry_delay(p, 2, milliseconds(0), std::nullopt, rng).has_value());
  EXPECT_FALSE(next_retry_delay(p, 3, milliseconds(0), std::nullopt, rng).has_value());
  EXPECT_FALSE(next_retry_delay(p, 4, milliseconds(0), std::nullopt, rng).has_value());
  EXPECT_FALSE(next_retry_delay(policy(1, 10, 100, 60'000), 1, milliseconds(0), std::nullopt, rng));
}

TEST(NextRetryDelay, FirstRetryUsesTheBaseBoundThenGrows) {
  const RetryPolicy p = policy(10, 100, 100'000, 1'000'000);
  Rng rng(13);
  milliseconds largest_first(0);
  milliseconds largest_third(0);
  for (int i = 0; i < 2000; ++i) {
    const auto first = next_retry_delay(p, 1, milliseconds(0), std::nullopt, rng);
    const auto third = next_retry_delay(p, 3, milliseconds(0), std::nullopt, rng);
    ASSERT_TRUE(first && third);
    ASSERT_LE(*first, milliseconds(100));
    ASSERT_LE(*third, milliseconds(400));
    largest_first = std::max(largest_first, *first);
    largest_third = std::max(largest_third, *third);
  }
  EXPECT_GT(largest_third, milliseconds(300));  // beyond what the first retry can ever wait
}

TEST(NextRetryDelay, RetryAfterIsAFloor) {
  const RetryPolicy p = policy(5, 100, 1000, 60'000);
  Rng rng(17);
  for (int i = 0; i < 500; ++i) {
    const auto d = next_retry_delay(p, 1, milliseconds(0), milliseconds(2500), rng);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, milliseconds(2500));  // above max_delay too: the server knows best
  }
  // A Retry-After shorter than the jittered backoff does not shorten it.
  const RetryPolicy slow = policy(5, 1000, 1000, 60'000);
  bool saw_longer = false;
  for (int i = 0; i < 500; ++i) {
    const auto d = next_retry_delay(slow, 1, milliseconds(0), milliseconds(10), rng);
    ASSERT_TRUE(d.has_value());
    ASSERT_GE(*d, milliseconds(10));
    saw_longer |= *d > milliseconds(10);
  }
  EXPECT_TRUE(saw_longer);
}

TEST(NextRetryDelay, DeadlineStopsRetries) {
  const RetryPolicy p = policy(100, 100, 100, 1000);
  Rng rng(19);
  EXPECT_FALSE(next_retry_delay(p, 1, milliseconds(1000), std::nullopt, rng));
  EXPECT_FALSE(next_retry_delay(p, 1, milliseconds(5000), std::nullopt, rng));
  // With 950 ms used, any delay up to 49 ms fits and 50..100 ms would cross the deadline.
  int retried = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto d = next_retry_delay(p, 2, milliseconds(950), std::nullopt, rng);
    if (d) {
      ++retried;
      EXPECT_LT(*d, milliseconds(50));
    }
  }
  EXPECT_GT(retried, 300);
  EXPECT_LT(retried, 700);
}

TEST(NextRetryDelay, RetryAfterBeyondTheDeadlineMeansNoRetry) {
  const RetryPolicy p = policy(5, 10, 100, 10'000);
  Rng rng(23);
  EXPECT_FALSE(next_retry_delay(p, 1, milliseconds(2000), milliseconds(9000), rng));
  EXPECT_FALSE(next_retry_delay(p, 1, milliseconds(0), milliseconds::max(), rng));
  const auto d = next_retry_delay(p, 1, milliseconds(2000), milliseconds(7000), rng);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, milliseconds(7000));
}

TEST(NextRetryDelay, SameSeedSameDelays) {
  const RetryPolicy p = policy(10, 100, 10'000, 1'000'000);
  Rng a(99);
  Rng b(99);
  for (int attempt = 1; attempt < 9; ++attempt) {
    EXPECT_EQ(next_retry_delay(p, attempt, milliseconds(0), std::nullopt, a),
              next_retry_delay(p, attempt, milliseconds(0), std::nullopt, b));
  }
}

}  // namespace
}  // namespace osprey
