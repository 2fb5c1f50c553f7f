#include "core/circuit_breaker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace osprey {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Change = std::pair<CircuitState, CircuitState>;

CircuitBreakerOptions streak_only(int failures) {
  CircuitBreakerOptions o;
  o.consecutive_failures = failures;
  o.error_rate_threshold = 0;
  o.open_duration = seconds(5);
  o.max_half_open_calls = 1;
  return o;
}

CircuitBreakerOptions rate_only(double threshold, int min_volume) {
  CircuitBreakerOptions o;
  o.consecutive_failures = 0;
  o.error_rate_threshold = threshold;
  o.min_request_volume = min_volume;
  o.window = seconds(10);
  o.open_duration = seconds(5);
  return o;
}

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreaker::StateChangeCallback recorder() {
    return [this](CircuitState from, CircuitState to) { changes.emplace_back(from, to); };
  }
  void fail(CircuitBreaker& breaker, int n) {
    for (int i = 0; i < n; ++i) {
      auto permit = breaker.try_acquire();
      ASSERT_TRUE(permit) << "call " << i;
      permit.failure();
    }
  }
  void succeed(CircuitBreaker& breaker, int n) {
    for (int i = 0; i < n; ++i) {
      auto permit = breaker.try_acquire();
      ASSERT_TRUE(permit) << "call " << i;
      permit.success();
    }
  }

  ManualClock clock;
  std::vector<Change> changes;
};

TEST_F(CircuitBreakerTest, StartsClosedAndAdmits) {
  CircuitBreaker breaker(CircuitBreakerOptions{}, clock);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  EXPECT_TRUE(breaker.available());
  EXPECT_TRUE(breaker.try_acquire());
}

TEST_F(CircuitBreakerTest, OpensAfterConsecutiveFailures) {
  CircuitBreaker breaker(streak_only(3), clock, recorder());
  fail(breaker, 2);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  fail(breaker, 1);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  EXPECT_FALSE(breaker.available());
  EXPECT_FALSE(breaker.try_acquire());
  EXPECT_FALSE(breaker.allow());
  EXPECT_EQ(changes, (std::vector<Change>{{CircuitState::kClosed, CircuitState::kOpen}}));
}

TEST_F(CircuitBreakerTest, SuccessResetsTheFailureStreak) {
  CircuitBreaker breaker(streak_only(3), clock);
  fail(breaker, 2);
  succeed(breaker, 1);
  fail(breaker, 2);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  fail(breaker, 1);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, ErrorRateNeedsTheMinimumVolume) {
  CircuitBreaker breaker(rate_only(0.5, 10), clock);
  // 100% errors, but only 9 calls: not enough evidence yet.
  fail(breaker, 9);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  fail(breaker, 1);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, ErrorRateAtThresholdOpens) {
  CircuitBreaker breaker(rate_only(0.5, 10), clock);
  for (int i = 0; i < 4; ++i) {
    succeed(breaker, 1);
    fail(breaker, 1);
  }
  succeed(breaker, 1);  // 4 of 9 failed
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  fail(breaker, 1);  // 5 of 10 = 50%
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, ErrorRateBelowThresholdStaysClosed) {
  CircuitBreaker breaker(rate_only(0.5, 10), clock);
  for (int i = 0; i < 100; ++i) {
    succeed(breaker, 2);
    fail(breaker, 1);  // 33% errors
  }
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, OldCallsSlideOutOfTheWindow) {
  CircuitBreaker breaker(rate_only(0.5, 10), clock);
  fail(breaker, 9);
  clock.advance(seconds(11));  // the 9 failures are now outside the 10 s window
  fail(breaker, 1);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  succeed(breaker, 8);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  fail(breaker, 1);  // 2 of 10 in the window
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, HalfOpensAfterTheCoolDown) {
  CircuitBreaker breaker(streak_only(1), clock, recorder());
  fail(breaker, 1);
  clock.advance(milliseconds(4999));
  EXPECT_FALSE(breaker.available());
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  clock.advance(milliseconds(1));
  EXPECT_TRUE(breaker.available());
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
  EXPECT_EQ(changes, (std::vector<Change>{{CircuitState::kClosed, CircuitState::kOpen},
                                          {CircuitState::kOpen, CircuitState::kHalfOpen}}));
}

TEST_F(CircuitBreakerTest, HalfOpenAllowsExactlyMaxTrialCalls) {
  CircuitBreakerOptions o = streak_only(1);
  o.max_half_open_calls = 3;
  CircuitBreaker breaker(o, clock);
  fail(breaker, 1);
  clock.advance(seconds(5));
  std::vector<CircuitBreaker::Permit> trials;
  for (int i = 0; i < 3; ++i) {
    trials.push_back(breaker.try_acquire());
    EXPECT_TRUE(trials.back()) << "trial " << i;
  }
  EXPECT_FALSE(breaker.available());
  EXPECT_FALSE(breaker.try_acquire());
  EXPECT_FALSE(breaker.allow());
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
}

TEST_F(CircuitBreakerTest, AbandonedTrialFreesItsSlot) {
  CircuitBreaker breaker(streak_only(1), clock);
  fail(breaker, 1);
  clock.advance(seconds(5));
  {
    auto trial = breaker.try_acquire();
    ASSERT_TRUE(trial);
  }  // dropped: client went away
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
  EXPECT_TRUE(breaker.try_acquire());
}

TEST_F(CircuitBreakerTest, TrialSuccessCloses) {
  CircuitBreaker breaker(streak_only(2), clock, recorder());
  fail(breaker, 2);
  clock.advance(seconds(5));
  succeed(breaker, 1);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  // A fresh streak is needed to open again.
  fail(breaker, 1);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  EXPECT_EQ(changes, (std::vector<Change>{{CircuitState::kClosed, CircuitState::kOpen},
                                          {CircuitState::kOpen, CircuitState::kHalfOpen},
                                          {CircuitState::kHalfOpen, CircuitState::kClosed}}));
}

TEST_F(CircuitBreakerTest, TrialFailureReopensForAnotherCoolDown) {
  CircuitBreaker breaker(streak_only(1), clock, recorder());
  fail(breaker, 1);
  clock.advance(seconds(5));
  fail(breaker, 1);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  clock.advance(milliseconds(4999));
  EXPECT_FALSE(breaker.try_acquire());
  clock.advance(milliseconds(1));
  EXPECT_TRUE(breaker.try_acquire());
  EXPECT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[2], Change(CircuitState::kHalfOpen, CircuitState::kOpen));
}

TEST_F(CircuitBreakerTest, CoolDownGrowsAfterFailedTrialsUpToTheMax) {
  CircuitBreakerOptions o = streak_only(1);
  o.open_duration = seconds(1);
  o.open_duration_multiplier = 2.0;
  o.max_open_duration = seconds(5);
  CircuitBreaker breaker(o, clock);
  fail(breaker, 1);
  EXPECT_EQ(breaker.open_duration(), seconds(1));
  const std::vector<seconds> expected = {seconds(2), seconds(4), seconds(5), seconds(5)};
  seconds wait(1);
  for (seconds next : expected) {
    clock.advance(wait - milliseconds(1));
    EXPECT_FALSE(breaker.available());
    clock.advance(milliseconds(1));
    fail(breaker, 1);  // the trial fails
    EXPECT_EQ(breaker.open_duration(), next);
    wait = next;
  }
  // Success resets the cool-down for the next time it opens.
  clock.advance(seconds(5));
  succeed(breaker, 1);
  EXPECT_EQ(breaker.open_duration(), seconds(1));
}

TEST_F(CircuitBreakerTest, CallbackFiresOncePerTransition) {
  CircuitBreaker breaker(streak_only(1), clock, recorder());
  fail(breaker, 1);
  // Many denied calls and state queries while open change nothing.
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(breaker.try_acquire());
    EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  }
  clock.advance(seconds(5));
  for (int i = 0; i < 10; ++i) breaker.state();
  EXPECT_EQ(changes.size(), 2u);
}

TEST_F(CircuitBreakerTest, StaleOutcomesAreIgnored) {
  CircuitBreaker breaker(streak_only(1), clock, recorder());
  auto slow = breaker.try_acquire();  // admitted while closed, finishes much later
  ASSERT_TRUE(slow);
  fail(breaker, 1);
  clock.advance(seconds(5));
  auto trial = breaker.try_acquire();
  ASSERT_TRUE(trial);
  slow.success();  // must not close the half-open breaker: it says nothing about recovery
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
  trial.failure();
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, LateFailuresCountOnlyInTheStateTheyWereStampedIn) {
  CircuitBreaker breaker(streak_only(1), clock, recorder());
  const std::uint64_t closed_era = breaker.generation();
  fail(breaker, 1);
  clock.advance(seconds(5));
  auto trial = breaker.try_acquire();
  ASSERT_TRUE(trial);
  breaker.record_failure_since(closed_era);  // a stream from the closed era breaks now
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
  EXPECT_FALSE(breaker.try_acquire());  // the trial's slot is still taken
  trial.success();
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  breaker.record_failure_since(breaker.generation());
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, PermitRecordsOnlyOnce) {
  CircuitBreaker breaker(streak_only(2), clock);
  auto permit = breaker.try_acquire();
  permit.failure();
  permit.failure();
  permit.success();
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  CircuitBreaker::Permit denied;
  denied.failure();  // a denied permit has nothing to record
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, MovedPermitRecordsOnce) {
  CircuitBreaker breaker(streak_only(1), clock);
  fail(breaker, 1);
  clock.advance(seconds(5));
  auto first = breaker.try_acquire();
  CircuitBreaker::Permit second = std::move(first);
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): moved-from is documented as denied
  ASSERT_TRUE(second);
  second.success();
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, RawApiFollowsTheSameStateMachine) {
  CircuitBreaker breaker(streak_only(2), clock);
  ASSERT_TRUE(breaker.allow());
  breaker.record_failure();
  ASSERT_TRUE(breaker.allow());
  breaker.record_failure();
  EXPECT_FALSE(breaker.allow());
  clock.advance(seconds(5));
  ASSERT_TRUE(breaker.allow());
  EXPECT_FALSE(breaker.allow());  // the one trial slot is taken
  breaker.record_success();
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, ConcurrentFailuresOpenExactlyOnce) {
  std::atomic<int> opened{0};
  CircuitBreaker breaker(streak_only(50), clock, [&](CircuitState, CircuitState to) {
    if (to == CircuitState::kOpen) opened.fetch_add(1);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&breaker] {
      for (int i = 0; i < 1000; ++i) {
        if (auto permit = breaker.try_acquire()) permit.failure();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  EXPECT_EQ(opened.load(), 1);
}

TEST(CircuitBreakerOptions, ValidateNamesTheBadField) {
  EXPECT_TRUE(validate(CircuitBreakerOptions{}).ok());
  CircuitBreakerOptions o;
  o.error_rate_threshold = 1.5;
  auto status = validate(o);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("error_rate_threshold"), std::string::npos);
  o = CircuitBreakerOptions{};
  o.max_half_open_calls = 0;
  status = validate(o);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("max_half_open_calls"), std::string::npos);
  o = CircuitBreakerOptions{};
  o.open_duration_multiplier = 0.5;
  EXPECT_FALSE(validate(o).ok());
}

TEST(CircuitBreakerOptions, InvalidOptionsAreClampedNotFatal) {
  ManualClock clock;
  CircuitBreakerOptions o;
  o.consecutive_failures = -3;
  o.error_rate_threshold = -1;
  o.max_half_open_calls = 0;
  o.window = milliseconds(0);
  CircuitBreaker breaker(o, clock);
  for (int i = 0; i < 100; ++i) {
    auto permit = breaker.try_acquire();
    ASSERT_TRUE(permit);  // both triggers disabled: never opens
    permit.failure();
  }
}

TEST(CircuitStateName, NamesEveryState) {
  EXPECT_EQ(circuit_state_name(CircuitState::kClosed), "closed");
  EXPECT_EQ(circuit_state_name(CircuitState::kOpen), "open");
  EXPECT_EQ(circuit_state_name(CircuitState::kHalfOpen), "half_open");
}

}  // namespace
}  // namespace osprey
