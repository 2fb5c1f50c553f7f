#include "experiments/experiment_view.h"

#include <gtest/gtest.h>

namespace osprey::experiments {
namespace {

using nlohmann::json;

TEST(ExperimentView, ActionCarriesPositionsTilesAndCost) {
  store::ExperimentAction a;
  a.step_number = 4;
  a.turn_number = 2;
  a.action_type = "move_east";
  a.from_x = 1;
  a.from_y = 2;
  a.to_x = 2;
  a.to_y = 2;
  a.success = true;
  a.tiles_seen_json = R"([{"x":3,"y":2,"type":"wall"}])";
  a.cost_micros = 1500;
  const json v = action_view(a);
  EXPECT_EQ(v["step"], 4);
  EXPECT_EQ(v["to"], (json{{"x", 2}, {"y", 2}}));
  EXPECT_EQ(v["tiles_seen"][0]["type"], "wall");
  EXPECT_DOUBLE_EQ(v["cost_usd"].get<double>(), 0.0015);
  // The live feed's form (tiles already JSON) gives the same view as the stored row's.
  EXPECT_EQ(action_view(a, json::parse(a.tiles_seen_json)), v);
}

TEST(ExperimentView, ExperimentWithAndWithoutItsMaze) {
  store::Experiment e;
  e.id = 3;
  e.maze_ref = "01_sparse_maze";
  e.maze_json = R"({"name":"m","width":1,"height":1,"grid_data":[[2]]})";
  e.model_config_json = R"({"model":"local/random","temperature":0.5})";
  e.state = store::ExperimentState::kRunning;
  const json light = experiment_view(e);
  EXPECT_EQ(light["state"], "running");
  EXPECT_EQ(light["maze"], (json{{"ref", "01_sparse_maze"}}));
  EXPECT_EQ(light["model_config"]["temperature"], 0.5);
  EXPECT_TRUE(light["metrics"].is_null());
  EXPECT_TRUE(light["job_id"].is_null());
  const json full = experiment_view(e, true);
  EXPECT_EQ(full["maze"]["grid_data"], json::parse("[[2]]"));
  EXPECT_EQ(full["maze"]["ref"], "01_sparse_maze");
}

TEST(ExperimentView, CompareRowMeansAndRatios) {
  store::ExperimentAggregate r;
  r.model = "m";
  r.config_values = {"0.2"};
  r.experiments = 5;
  r.measured = 4;
  r.succeeded = 2;
  r.moves = 400;
  r.optimal_moves = 150;  // over the 3 runs whose optimum is known
  r.with_optimal = 3;
  r.revisits = 100;
  r.tokens_in = 900;
  r.tokens_out = 100;
  r.cost_micros = 3'000'000;
  const json v = aggregate_view(r, true, {"temperature"});
  EXPECT_EQ(v["group"], (json{{"model", "m"}, {"model_config.temperature", 0.2}}));
  EXPECT_DOUBLE_EQ(v["success_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(v["mean_moves"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(v["moves_vs_optimal"].get<double>(), 2.0);  // 100 / (150 / 3)
  EXPECT_DOUBLE_EQ(v["revisit_rate"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(v["tokens_per_success"].get<double>(), 500.0);
  EXPECT_DOUBLE_EQ(v["cost_per_success_usd"].get<double>(), 1.5);
  store::ExperimentAggregate none;
  const json empty = aggregate_view(none, false, {});
  EXPECT_TRUE(empty["moves_vs_optimal"].is_null());
  EXPECT_TRUE(empty["tokens_per_success"].is_null());
  EXPECT_EQ(empty["group"], json::object());
}

}  // namespace
}  // namespace osprey::experiments
