#include "experiments/experiments_config.h"

#include <gtest/gtest.h>

namespace osprey::experiments {
namespace {

using nlohmann::json;

TEST(ExperimentsConfig, DefaultsWithoutTheSection) {
  auto c = parse_experiments_config(json::object(), "/data");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->library_dir, "/data/mazes");
  EXPECT_EQ(c->action_batch, 50);
  EXPECT_EQ(c->max_per_request, 1000u);
  EXPECT_EQ(c->events_poll.count(), 200);
}

TEST(ExperimentsConfig, ReadsEveryKey) {
  auto c = parse_experiments_config(json{{"experiments",
                                          {{"library_dir", "/mazes"},
                                           {"action_batch", 7},
                                           {"max_per_request", 12},
                                           {"events_poll_ms", 30}}}},
                                    "/data");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->library_dir, "/mazes");
  EXPECT_EQ(c->action_batch, 7);
  EXPECT_EQ(c->max_per_request, 12u);
  EXPECT_EQ(c->events_poll.count(), 30);
}

TEST(ExperimentsConfig, ErrorsNameTheKey) {
  auto unknown = parse_experiments_config(json{{"experiments", {{"batch", 1}}}}, "/d");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kConfigInvalid);
  EXPECT_NE(unknown.error().message.find("experiments.batch"), std::string::npos);
  auto range = parse_experiments_config(json{{"experiments", {{"action_batch", 0}}}}, "/d");
  ASSERT_FALSE(range);
  EXPECT_NE(range.error().message.find("experiments.action_batch"), std::string::npos);
  EXPECT_FALSE(parse_experiments_config(json{{"experiments", {{"library_dir", ""}}}}, "/d"));
  EXPECT_FALSE(parse_experiments_config(json{{"experiments", 3}}, "/d"));
}

}  // namespace
}  // namespace osprey::experiments
