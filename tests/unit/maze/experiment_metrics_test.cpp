#include "maze/experiment_metrics.h"

#include <gtest/gtest.h>

#include "maze_fixture.h"

namespace osprey::maze {
namespace {

using testing::drawn;

ActionRecord move(int step, Position from, Position to, bool success) {
  ActionRecord a;
  a.step_number = step;
  a.turn_number = step;
  a.action_type = "move_east";
  a.from = from;
  a.to = to;
  a.success = success;
  a.input_tokens = 100;
  a.output_tokens = 5;
  a.cost_usd = 0.01;
  return a;
}

TEST(ExperimentMetricsTest, CountsRevisitsLoopsCollisionsAndCallKinds) {
  const Maze maze = drawn({"########", "#.....G#", "########"});
  ExperimentConfig config;
  config.vision_range = 1;
  std::vector<ActionRecord> actions;
  int step = 0;
  // Ten round trips between (1,1) and (2,1): 11 visits to (1,1) with the start, 10 to (2,1).
  for (int i = 0; i < 10; ++i) {
    actions.push_back(move(++step, {1, 1}, {2, 1}, true));
    actions.push_back(move(++step, {2, 1}, {1, 1}, true));
  }
  actions.push_back(move(++step, {1, 1}, {1, 1}, false));  // wall collision
  ActionRecord refused = move(++step, {1, 1}, {1, 1}, false);
  refused.action_type = "recall_all";
  refused.detail = {{"error", "recall_too_early"}};
  actions.push_back(refused);
  ActionRecord recall = refused;
  recall.step_number = ++step;
  recall.success = true;
  recall.detail = nlohmann::json::object();
  actions.push_back(recall);
  ActionRecord none = move(++step, {1, 1}, {1, 1}, false);
  none.action_type = std::string(kNoToolCall);
  actions.push_back(none);
  ActionRecord invalid = move(++step, {1, 1}, {1, 1}, false);
  invalid.action_type = std::string(kInvalidToolCall);
  invalid.detail = {{"error", "invalid_tool_call"}};
  actions.push_back(invalid);

  const ExperimentMetrics m = compute_metrics(maze, config, {1, 1}, actions, "max_turns", 1234);
  EXPECT_FALSE(m.success);
  EXPECT_EQ(m.end_reason, "max_turns");
  EXPECT_EQ(m.duration_ms, 1234);
  EXPECT_EQ(m.actions, 25);
  EXPECT_EQ(m.turns, 25);
  EXPECT_EQ(m.successful_moves, 20);
  EXPECT_EQ(m.wall_collisions, 1);
  EXPECT_EQ(m.refused_tool_calls, 1);
  EXPECT_EQ(m.recalls, 1);
  EXPECT_EQ(m.no_tool_calls, 1);
  EXPECT_EQ(m.invalid_tool_calls, 1);
  EXPECT_EQ(m.unique_cells, 2);
  EXPECT_EQ(m.max_visits, 11);  // (1,1): start + 10 returns
  EXPECT_EQ(m.loop_cells, 2);   // (1,1) 11 visits, (2,1) exactly 10
  EXPECT_EQ(m.revisits, 19);
  EXPECT_DOUBLE_EQ(m.revisit_rate, 19.0 / 20.0);  // only the first step onto (2,1) was new
  EXPECT_EQ(m.optimal_moves, 4);                  // (5,1) sees the goal with range 1
  EXPECT_EQ(m.input_tokens, 2500);
  EXPECT_FALSE(m.tokens_per_success.has_value());
  EXPECT_FALSE(m.moves_vs_optimal.has_value());
  const auto j = metrics_json(m);
  EXPECT_TRUE(j["moves_vs_optimal"].is_null());
  EXPECT_EQ(j["wall_collisions"], 1);
}

TEST(ExperimentMetricsTest, SuccessComesFromTheEndReasonAndCostsAreTotals) {
  const Maze maze = drawn({"#####", "#..G#", "#####"});
  ExperimentConfig config;
  config.vision_range = 1;
  std::vector<ActionRecord> actions = {move(1, {1, 1}, {2, 1}, true)};
  actions[0].found_goal = true;
  const ExperimentMetrics m = compute_metrics(maze, config, {1, 1}, actions, "goal_found", 10);
  EXPECT_TRUE(m.success);
  EXPECT_EQ(m.optimal_moves, 1);
  EXPECT_EQ(m.moves_vs_optimal, 1.0);
  EXPECT_EQ(m.tokens_per_success, 105);
  EXPECT_DOUBLE_EQ(*m.cost_per_success, 0.01);
}

TEST(ActionRecordTest, JsonRoundTrips) {
  ActionRecord a = move(3, {1, 2}, {2, 2}, true);
  a.tiles_seen = {{{2, 2}, Cell::kEmpty}, {{3, 2}, Cell::kWall}, {{2, 1}, Cell::kGoal}};
  a.reasoning = "east looks open";
  a.detail = {{"tool", "move_east"}};
  a.elapsed_ms = 99;
  auto back = parse_action_json(action_json(a));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(action_json(*back), action_json(a));
  auto bad = parse_action_json(nlohmann::json{{"action_type", "move_east"}, {"from", 3}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("action.from"), std::string::npos);
}

}  // namespace
}  // namespace osprey::maze
