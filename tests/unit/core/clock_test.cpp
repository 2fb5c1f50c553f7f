#include "core/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace osprey {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ManualClock, StandsStillUntilAdvanced) {
  ManualClock clock;
  const auto steady = clock.now();
  const auto wall = clock.wall_now();
  EXPECT_EQ(clock.now(), steady);
  EXPECT_EQ(clock.wall_now(), wall);
  EXPECT_NE(steady.time_since_epoch().count(), 0);
}

TEST(ManualClock, AdvanceMovesBothClocksTogether) {
  ManualClock clock;
  const auto steady = clock.now();
  const auto wall = clock.wall_now();
  clock.advance(milliseconds(1500));
  EXPECT_EQ(clock.now() - steady, milliseconds(1500));
  EXPECT_EQ(clock.wall_now() - wall, milliseconds(1500));
}

TEST(ManualClock, IgnoresNegativeAdvance) {
  ManualClock clock;
  const auto steady = clock.now();
  clock.advance(seconds(-5));
  EXPECT_EQ(clock.now(), steady);
}

TEST(ManualClock, StartsWhereTold) {
  const std::chrono::steady_clock::time_point steady_start(seconds(100));
  const std::chrono::system_clock::time_point wall_start(seconds(1'000'000));
  ManualClock clock(steady_start, wall_start);
  EXPECT_EQ(clock.now(), steady_start);
  EXPECT_EQ(clock.wall_now(), wall_start);
}

TEST(ManualClock, ConcurrentAdvancesAllCount) {
  ManualClock clock;
  const auto start = clock.now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.advance(milliseconds(1));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(clock.now() - start, seconds(4));
}

TEST(SystemClock, NeverGoesBackwards) {
  Clock& clock = system_clock();
  auto previous = clock.now();
  for (int i = 0; i < 1000; ++i) {
    const auto current = clock.now();
    ASSERT_GE(current, previous);
    previous = current;
  }
  EXPECT_EQ(&system_clock(), &clock);
}

}  // namespace
}  // namespace osprey
