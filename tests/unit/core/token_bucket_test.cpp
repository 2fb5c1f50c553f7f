#include "core/token_bucket.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace osprey {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TokenBucketOptions limit(double rate, double burst) { return TokenBucketOptions{rate, burst}; }

TEST(TokenBucket, AllowsTheBurstThenDenies) {
  ManualClock clock;
  TokenBucket bucket(limit(10, 5), clock);
  for (int i = 0; i < 5; ++i) {
    const auto r = bucket.try_take(1);
    EXPECT_TRUE(r.allowed) << i;
    EXPECT_DOUBLE_EQ(r.remaining, 4 - i);
    EXPECT_EQ(r.retry_after, nanoseconds(0));
  }
  const auto r = bucket.try_take(1);
  EXPECT_FALSE(r.allowed);
  EXPECT_FALSE(r.over_capacity);
}

TEST(TokenBucket, RefillsAtTheRateUpToTheBurst) {
  ManualClock clock;
  TokenBucket bucket(limit(10, 5), clock);
  ASSERT_TRUE(bucket.try_take(5).allowed);
  clock.advance(milliseconds(200));  // 2 tokens
  EXPECT_NEAR(bucket.remaining(), 2.0, 1e-9);
  EXPECT_TRUE(bucket.try_take(2).allowed);
  EXPECT_FALSE(bucket.try_take(1).allowed);
  clock.advance(seconds(60));  // far more than the burst
  EXPECT_NEAR(bucket.remaining(), 5.0, 1e-9);
  EXPECT_TRUE(bucket.try_take(5).allowed);
  EXPECT_FALSE(bucket.try_take(1).allowed);
}

TEST(TokenBucket, DeniedTakeTakesNothing) {
  ManualClock clock;
  TokenBucket bucket(limit(1, 10), clock);
  ASSERT_TRUE(bucket.try_take(7).allowed);
  EXPECT_FALSE(bucket.try_take(4).allowed);
  EXPECT_NEAR(bucket.remaining(), 3.0, 1e-9);
  EXPECT_TRUE(bucket.try_take(3).allowed);
}

TEST(TokenBucket, RetryAfterIsExactlyLongEnough) {
  ManualClock clock;
  TokenBucket bucket(limit(4, 10), clock);  // one token per 250 ms
  ASSERT_TRUE(bucket.try_take(10).allowed);
  const auto denied = bucket.try_take(3);
  ASSERT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after, milliseconds(750));
  clock.advance(denied.retry_after - milliseconds(1));
  EXPECT_FALSE(bucket.try_take(3).allowed);
  clock.advance(milliseconds(1));
  EXPECT_TRUE(bucket.try_take(3).allowed);
}

TEST(TokenBucket, RetryAfterWithAwkwardRates) {
  for (double rate : {3.0, 7.0, 0.3, 1234.5}) {
    ManualClock clock;
    TokenBucket bucket(limit(rate, 2), clock);
    ASSERT_TRUE(bucket.try_take(2).allowed);
    const auto denied = bucket.try_take(1.5);
    ASSERT_FALSE(denied.allowed);
    EXPECT_NEAR(std::chrono::duration<double>(denied.retry_after).count(), 1.5 / rate, 1e-8);
    clock.advance(denied.retry_after);
    EXPECT_TRUE(bucket.try_take(1.5).allowed) << "rate " << rate;
  }
}

TEST(TokenBucket, MoreThanTheBurstIsOverCapacity) {
  ManualClock clock;
  TokenBucket bucket(limit(100, 50), clock);
  const auto r = bucket.try_take(51);
  EXPECT_FALSE(r.allowed);
  EXPECT_TRUE(r.over_capacity);
  EXPECT_NEAR(bucket.remaining(), 50.0, 1e-9);  // nothing taken
}

TEST(TokenBucket, AdjustCanLeaveDebtThatDelaysLaterCallers) {
  ManualClock clock;
  TokenBucket bucket(limit(10, 100), clock);
  ASSERT_TRUE(bucket.try_take(100).allowed);  // estimated 100 tokens
  bucket.adjust(150);                         // the call really used 250
  EXPECT_NEAR(bucket.remaining(), -150.0, 1e-9);
  auto r = bucket.try_take(1);
  EXPECT_FALSE(r.allowed);
  EXPECT_NEAR(r.remaining, -150.0, 1e-9);
  EXPECT_EQ(r.retry_after, seconds(15) + milliseconds(100));  // 151 tokens at 10/s
  clock.advance(seconds(15));
  EXPECT_FALSE(bucket.try_take(1).allowed);
  clock.advance(milliseconds(100));
  EXPECT_TRUE(bucket.try_take(1).allowed);
}

TEST(TokenBucket, NegativeAdjustRefunds) {
  ManualClock clock;
  TokenBucket bucket(limit(1, 100), clock);
  ASSERT_TRUE(bucket.try_take(80).allowed);  // estimated 80
  bucket.adjust(-50);                        // used only 30
  EXPECT_NEAR(bucket.remaining(), 70.0, 1e-9);
  bucket.adjust(-1000);  // never above the burst
  EXPECT_NEAR(bucket.remaining(), 100.0, 1e-9);
}

TEST(TokenBucket, RefundGivesBackUpToTheBurst) {
  ManualClock clock;
  TokenBucket bucket(limit(1, 10), clock);
  ASSERT_TRUE(bucket.try_take(4).allowed);
  bucket.refund(3);
  EXPECT_NEAR(bucket.remaining(), 9.0, 1e-9);
  bucket.refund(3);
  EXPECT_NEAR(bucket.remaining(), 10.0, 1e-9);
}

TEST(TokenBucket, BadAmountsNeverCorruptTheBalance) {
  ManualClock clock;
  TokenBucket bucket(limit(1, 10), clock);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(bucket.try_take(nan).allowed);
  EXPECT_TRUE(bucket.try_take(-5).allowed);
  EXPECT_TRUE(bucket.try_take(0).allowed);
  EXPECT_FALSE(bucket.try_take(inf).allowed);
  EXPECT_TRUE(bucket.try_take(inf).over_capacity);
  ASSERT_TRUE(bucket.try_take(3).allowed);
  bucket.refund(inf);  // ignored, not "refill to the brim"
  EXPECT_NEAR(bucket.remaining(), 7.0, 1e-9);
  bucket.refund(3);
  bucket.adjust(nan);
  bucket.adjust(inf);
  bucket.refund(nan);
  bucket.refund(-4);
  EXPECT_NEAR(bucket.remaining(), 10.0, 1e-9);
}

TEST(TokenBucket, InvalidOptionsAreRejectedByValidateAndClampedOtherwise) {
  EXPECT_TRUE(validate(limit(1, 1)).ok());
  EXPECT_FALSE(validate(limit(0, 1)).ok());
  EXPECT_FALSE(validate(limit(1, -1)).ok());
  EXPECT_FALSE(validate(limit(std::nan(""), 1)).ok());
  const auto status = validate(limit(5, 0));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("burst"), std::string::npos);

  ManualClock clock;
  TokenBucket bucket(limit(0, 0), clock);
  EXPECT_TRUE(bucket.try_take(1).allowed);
  const auto r = bucket.try_take(1);
  EXPECT_FALSE(r.allowed);
  EXPECT_GT(r.retry_after, std::chrono::hours(24));  // practically never refills
}

TEST(TokenBucket, ReconfigureKeepsTheBalanceWithinTheNewBurst) {
  ManualClock clock;
  TokenBucket bucket(limit(1, 100), clock);
  ASSERT_TRUE(bucket.try_take(20).allowed);
  bucket.reconfigure(limit(10, 50));
  EXPECT_NEAR(bucket.remaining(), 50.0, 1e-9);
  ASSERT_TRUE(bucket.try_take(50).allowed);
  clock.advance(seconds(1));
  EXPECT_NEAR(bucket.remaining(), 10.0, 1e-9);  // the new rate applies
}

// 4 threads hammer a 50/s, burst 50 bucket while simulated time moves 10 s in 10 ms steps.
// After each step the driver waits until the bucket is drained, so no refill is lost to the
// burst cap and the exact expectation is burst + rate * time = 550.
TEST(TokenBucket, ConcurrentTakersAreAdmittedExactlyAtTheRate) {
  ManualClock clock;
  TokenBucket bucket(limit(50, 50), clock);
  std::atomic<int> admitted{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> takers;
  for (int t = 0; t < 4; ++t) {
    takers.emplace_back([&] {
      while (!done.load()) {
        if (bucket.try_take(1).allowed) {
          admitted.fetch_add(1);
        } else {
          std::this_thread::yield();
        }
      }
      while (bucket.try_take(1).allowed) admitted.fetch_add(1);
    });
  }
  for (int step = 0; step <= 1000; ++step) {
    while (bucket.remaining() >= 1.0) std::this_thread::yield();
    if (step < 1000) clock.advance(milliseconds(10));
  }
  done.store(true);
  for (auto& taker : takers) taker.join();
  EXPECT_NEAR(admitted.load(), 550, 1);
  EXPECT_LT(bucket.remaining(), 1.0);
}

TEST(TokenBucketMap, KeysHaveIndependentBuckets) {
  ManualClock clock;
  TokenBucketMap map(clock);
  const auto l = limit(1, 2);
  EXPECT_TRUE(map.try_take("alice", l, 2)->allowed);
  EXPECT_FALSE(map.try_take("alice", l, 1)->allowed);
  EXPECT_TRUE(map.try_take("bob", l, 2)->allowed);
  EXPECT_EQ(map.size(), 2u);
}

TEST(TokenBucketMap, AdjustAndRemainingReachTheKeysBucket) {
  ManualClock clock;
  TokenBucketMap map(clock);
  const auto l = limit(10, 100);
  ASSERT_TRUE(map.try_take("k", l, 40)->allowed);
  ASSERT_TRUE(map.adjust("k", l, 100).ok());
  EXPECT_NEAR(*map.remaining("k", l), -40.0, 1e-9);
  EXPECT_NEAR(*map.remaining("other", l), 100.0, 1e-9);
}

TEST(TokenBucketMap, LimitChangesApplyToExistingKeys) {
  ManualClock clock;
  TokenBucketMap map(clock);
  ASSERT_TRUE(map.try_take("k", limit(1, 10), 5)->allowed);
  EXPECT_NEAR(*map.remaining("k", limit(1, 3)), 3.0, 1e-9);  // capped at the new burst
  EXPECT_TRUE(map.try_take("k", limit(1, 3), 4)->over_capacity);
}

TEST(TokenBucketMap, EvictsIdleFullBucketsButKeepsDebt) {
  ManualClock clock;
  TokenBucketMap map(clock, seconds(60));
  const auto l = limit(1, 10);
  ASSERT_TRUE(map.try_take("idle", l, 10)->allowed);
  ASSERT_TRUE(map.adjust("debtor", l, 200).ok());  // 190 in debt: needs 200 s to refill
  clock.advance(seconds(61));
  map.evict_idle();
  EXPECT_EQ(map.size(), 1u);  // "idle" refilled and went; "debtor" stays
  EXPECT_FALSE(map.try_take("debtor", l, 1)->allowed);
  clock.advance(seconds(300));
  map.evict_idle();
  EXPECT_EQ(map.size(), 0u);
}

TEST(TokenBucketMap, SweepsDuringNormalCalls) {
  ManualClock clock;
  TokenBucketMap map(clock, seconds(10));
  const auto l = limit(100, 10);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(map.try_take("key" + std::to_string(i), l, 1)->allowed);
  EXPECT_EQ(map.size(), 200u);
  clock.advance(seconds(11));
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(map.try_take("new" + std::to_string(i), l, 1)->allowed);
  EXPECT_EQ(map.size(), 200u);  // every old key was swept by the calls on its shard
}

TEST(TokenBucketMap, UsableThroughTheBackendInterface) {
  ManualClock clock;
  TokenBucketMap map(clock);
  RateLimiterBackend& backend = map;
  const auto r = backend.try_take("k", limit(1, 1), 1);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->allowed);
  EXPECT_FALSE(backend.try_take("k", limit(1, 1), 1)->allowed);
}

TEST(TokenBucketMap, ConcurrentCallersShareEachKeysBurstExactly) {
  ManualClock clock;  // time stands still: only the burst is available
  TokenBucketMap map(clock);
  const auto l = limit(1, 50);
  std::atomic<int> admitted_a{0};
  std::atomic<int> admitted_b{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (map.try_take("a", l, 1)->allowed) admitted_a.fetch_add(1);
        if (map.try_take("b", l, 1)->allowed) admitted_b.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted_a.load(), 50);
  EXPECT_EQ(admitted_b.load(), 50);
  EXPECT_EQ(map.size(), 2u);
}

}  // namespace
}  // namespace osprey
