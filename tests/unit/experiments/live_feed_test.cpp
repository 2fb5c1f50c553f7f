#include "experiments/live_feed.h"

#include <gtest/gtest.h>

namespace osprey::experiments {
namespace {

std::vector<FeedAction> steps(std::int64_t from, std::int64_t to) {
  std::vector<FeedAction> out;
  for (std::int64_t s = from; s <= to; ++s)
    out.push_back({s, "{\"step\":" + std::to_string(s) + "}"});
  return out;
}

TEST(LiveFeed, UnknownExperimentIsNotKnown) {
  LiveFeed feed;
  EXPECT_FALSE(feed.since(1, 0).known);
}

TEST(LiveFeed, ReturnsOnlyStepsAfterTheLastSeen) {
  LiveFeed feed;
  feed.begin(7);
  feed.publish(7, steps(1, 5));
  FeedRead r = feed.since(7, 3);
  EXPECT_TRUE(r.known);
  EXPECT_FALSE(r.ended);
  EXPECT_EQ(r.first_step, 1);
  ASSERT_EQ(r.actions.size(), 2u);
  EXPECT_EQ(r.actions[0].step, 4);
  EXPECT_EQ(r.actions[1].json, "{\"step\":5}");
  feed.end(7);
  EXPECT_TRUE(feed.since(7, 5).ended);
  EXPECT_TRUE(feed.since(7, 5).actions.empty());
}

TEST(LiveFeed, KeepsOnlyTheNewestActions) {
  LiveFeed feed(/*max_buffered=*/3);
  feed.begin(1);
  feed.publish(1, steps(1, 10));
  FeedRead r = feed.since(1, 0);
  EXPECT_EQ(r.first_step, 8);  // older steps come from the store
  EXPECT_EQ(r.actions.size(), 3u);
}

TEST(LiveFeed, ANewAttemptDropsTheLastOnesActions) {
  LiveFeed feed;
  feed.begin(1);
  feed.publish(1, steps(1, 4));
  const std::int64_t first = feed.since(1, 0).attempt;
  feed.begin(1);
  FeedRead r = feed.since(1, 0);
  EXPECT_GT(r.attempt, first);
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.first_step, 0);
}

TEST(LiveFeed, ForgetsTheOldestEndedExperiments) {
  LiveFeed feed(/*max_buffered=*/10, /*max_ended=*/2);
  for (std::int64_t id = 1; id <= 3; ++id) {
    feed.begin(id);
    feed.publish(id, steps(1, 1));
    feed.end(id);
  }
  EXPECT_FALSE(feed.since(1, 0).known);
  EXPECT_TRUE(feed.since(2, 0).known);
  EXPECT_TRUE(feed.since(3, 0).known);
}

}  // namespace
}  // namespace osprey::experiments
