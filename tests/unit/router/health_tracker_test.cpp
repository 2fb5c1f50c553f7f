#include "router/health_tracker.h"

#include <gtest/gtest.h>

#include <string>

namespace osprey::router {
namespace {

TEST(HealthTracker, StartsHealthyByDefault) {
  EXPECT_TRUE(HealthTracker(2, 3).healthy());
  EXPECT_FALSE(HealthTracker(2, 3, /*initially_healthy=*/false).healthy());
}

TEST(HealthTracker, BecomesUnhealthyAfterThresholdFailuresInARow) {
  HealthTracker tracker(2, 3);
  EXPECT_FALSE(tracker.record_probe(false));
  EXPECT_FALSE(tracker.record_probe(false));
  EXPECT_TRUE(tracker.healthy());
  EXPECT_TRUE(tracker.record_probe(false));  // the flip is reported once
  EXPECT_FALSE(tracker.healthy());
  EXPECT_FALSE(tracker.record_probe(false));
  EXPECT_FALSE(tracker.healthy());
}

TEST(HealthTracker, ASuccessBreaksTheFailureStreak) {
  HealthTracker tracker(2, 3);
  tracker.record_probe(false);
  tracker.record_probe(false);
  tracker.record_probe(true);
  tracker.record_probe(false);
  tracker.record_probe(false);
  EXPECT_TRUE(tracker.healthy());
}

TEST(HealthTracker, RecoversAfterThresholdSuccessesInARow) {
  HealthTracker tracker(2, 1);
  ASSERT_TRUE(tracker.record_probe(false));
  EXPECT_FALSE(tracker.record_probe(true));
  EXPECT_FALSE(tracker.healthy());
  EXPECT_FALSE(tracker.record_probe(false));  // streak broken
  EXPECT_FALSE(tracker.record_probe(true));
  EXPECT_TRUE(tracker.record_probe(true));
  EXPECT_TRUE(tracker.healthy());
}

TEST(HealthTracker, ThresholdsBelowOneActLikeOne) {
  HealthTracker tracker(0, -4);
  EXPECT_TRUE(tracker.record_probe(false));
  EXPECT_FALSE(tracker.healthy());
  EXPECT_TRUE(tracker.record_probe(true));
  EXPECT_TRUE(tracker.healthy());
}

TEST(HealthCheckOptions, ValidateNamesTheBadField) {
  EXPECT_TRUE(validate(HealthCheckOptions{}).ok());
  HealthCheckOptions o;
  o.healthy_threshold = 0;
  auto status = validate(o);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("healthy_threshold"), std::string::npos);
  o = HealthCheckOptions{};
  o.interval = std::chrono::milliseconds(0);
  status = validate(o);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("interval"), std::string::npos);
}

}  // namespace
}  // namespace osprey::router
