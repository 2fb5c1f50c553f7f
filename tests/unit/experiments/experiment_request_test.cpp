#include "experiments/experiment_request.h"

#include <gtest/gtest.h>

#include "support/json_mutator.h"

#include "unit/maze/maze_fixture.h"  // where the original mazes are

namespace osprey::experiments {
namespace {

using nlohmann::json;

json small_maze() {
  return {{"name", "tiny"},
          {"width", 4},
          {"height", 3},
          {"grid_data", {{0, 0, 0, 0}, {0, 1, 1, 0}, {0, 0, 0, 2}}}};
}

TEST(ExperimentRequest, SingleFormWithAnInlineMaze) {
  MazeLibrary library("/nonexistent");
  auto batch = parse_experiment_request({{"maze", small_maze()},
                                         {"start", {{"x", 0}, {"y", 0}}},
                                         {"model_config", {{"model", "local/explorer"}}},
                                         {"comment", "c"},
                                         {"max_attempts", 2},
                                         {"turn_delay_ms", 10}},
                                        library, 10, 99);
  ASSERT_TRUE(batch) << batch.error().message;
  ASSERT_EQ(batch->experiments.size(), 1u);
  const store::NewExperiment& e = batch->experiments[0];
  EXPECT_EQ(e.maze_ref, "inline:tiny");
  EXPECT_EQ(json::parse(e.maze_json)["grid_data"], small_maze()["grid_data"]);
  EXPECT_EQ(e.start_x, 0);
  EXPECT_EQ(e.start_y, 0);
  EXPECT_EQ(e.agent, "local/explorer");
  EXPECT_EQ(e.comment, "c");
  EXPECT_EQ(e.seed, 99);  // no seed given: the default one, recorded for replays
  const json config = json::parse(e.model_config_json);
  EXPECT_EQ(config["model"], "local/explorer");
  EXPECT_EQ(config["seed"], 99);
  EXPECT_EQ(batch->max_attempts, 2);
  EXPECT_EQ(batch->turn_delay_ms, 10);
}

TEST(ExperimentRequest, SweepIsMazesTimesConfigsTimesRepetitions) {
  MazeLibrary library("/nonexistent");
  auto batch = parse_experiment_request(
      {{"mazes",
        {small_maze(), {{"generator", {{"kind", "open_field"}, {"width", 9}, {"height", 9}}}}}},
       {"model_configs", {{{"model", "a"}, {"temperature", 0.1}, {"seed", 5}}, {{"model", "b"}}}},
       {"repetitions", 3}},
      library, 12, 1000);
  ASSERT_TRUE(batch) << batch.error().message;
  ASSERT_EQ(batch->experiments.size(), 12u);
  EXPECT_TRUE(batch->experiments[1].maze_ref.starts_with("generated:"));
  // Repetitions differ by seed, each reproducible.
  EXPECT_EQ(batch->experiments[0].seed, 5);
  EXPECT_EQ(batch->experiments[2].seed, 6);
  EXPECT_EQ(batch->experiments[4].seed, 7);
  EXPECT_EQ(batch->experiments[6].seed, 1000);
  EXPECT_EQ(json::parse(batch->experiments[0].model_config_json)["temperature"], 0.1);
  EXPECT_EQ(batch->experiments[0].agent, "llm");

  auto too_many = parse_experiment_request(
      {{"mazes", {small_maze()}}, {"model_configs", {{{"model", "a"}}}}, {"repetitions", 13}},
      library, 12, 1);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("at most 12"), std::string::npos);
}

TEST(ExperimentRequest, LibraryMazesByIdWithTheOriginalStartRules) {
  const auto dir = maze::testing::original_mazes_dir();
  if (dir.empty()) GTEST_SKIP() << "shared/oriole/mazes not found next to the checkout";
  MazeLibrary library(dir.string());
  EXPECT_GE(library.list().size(), 12u);
  auto batch = parse_experiment_request(
      {{"maze", {{"id", "03_medium_maze"}}}, {"model_config", {{"model", "m"}}}}, library, 1, 1);
  ASSERT_TRUE(batch) << batch.error().message;
  const store::NewExperiment& e = batch->experiments[0];
  EXPECT_EQ(e.maze_ref, "03_medium_maze");
  EXPECT_EQ(json::parse(e.maze_json)["width"], 60);
  auto missing = parse_experiment_request(
      {{"maze", "99_missing"}, {"model_config", {{"model", "m"}}}}, library, 1, 1);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto traversal = parse_experiment_request(
      {{"maze", "../../etc/passwd"}, {"model_config", {{"model", "m"}}}}, library, 1, 1);
  ASSERT_FALSE(traversal);
  EXPECT_EQ(traversal.error().code, ErrorCode::kInvalidRequest);
}

TEST(ExperimentRequest, BadInputNamesTheField) {
  MazeLibrary library("/nonexistent");
  struct Case {
    json body;
    std::string field;
  };
  const json config = {{"model", "m"}};
  const std::vector<Case> cases = {
      {json::array(), "body"},
      {{{"model_config", config}}, "maze"},
      {{{"maze", small_maze()}}, "model_config"},
      {{{"maze", small_maze()}, {"model_config", config}, {"colour", 1}}, "colour"},
      {{{"maze", small_maze()}, {"model_config", {{"model", "m"}, {"max_movez", 1}}}},
       "model_config"},
      {{{"maze", small_maze()}, {"model_config", config}, {"start", {{"x", 1}, {"y", 1}}}},
       "start"},  // a wall
      {{{"maze", small_maze()}, {"model_config", config}, {"start", "here"}}, "start"},
      {{{"maze", 5}, {"model_config", config}}, "maze"},
      {{{"maze", {{"grid_data", 1}}}, {"model_config", config}}, "maze"},
      {{{"maze", small_maze()}, {"model_config", config}, {"repetitions", 2}}, "repetitions"},
      {{{"maze", small_maze()}, {"mazes", {small_maze()}}, {"model_config", config}}, "mazes"},
      {{{"mazes", json::array()}, {"model_configs", {config}}}, "mazes"},
      {{{"maze", small_maze()}, {"model_config", config}, {"max_attempts", 0}}, "max_attempts"},
      {{{"maze", small_maze()}, {"model_config", config}, {"turn_delay_ms", -1}}, "turn_delay_ms"},
      {{{"maze", small_maze()}, {"model_config", config}, {"comment", 3}}, "comment"},
  };
  for (const Case& c : cases) {
    auto batch = parse_experiment_request(c.body, library, 10, 1);
    ASSERT_FALSE(batch) << c.body.dump();
    EXPECT_EQ(batch.error().code, ErrorCode::kInvalidRequest) << c.body.dump();
    EXPECT_TRUE(batch.error().message.starts_with(c.field))
        << c.body.dump() << " -> " << batch.error().message;
  }
}

// A request of any wrong shape (a value of another type, a size out of range, a field missing
// or repeated) is refused with an error naming it, never by an exception or by building a
// maze or a sweep too large to hold.
TEST(ExperimentRequest, EveryWrongShapeIsAnErrorNotAnException) {
  MazeLibrary library("/nonexistent");
  const json request = {
      {"mazes",
       {small_maze(), {{"generator", {{"kind", "open_field"}, {"width", 9}, {"height", 9}}}}}},
      {"model_configs", {{{"model", "a"}, {"temperature", 0.1}, {"seed", 5}}, {{"model", "b"}}}},
      {"repetitions", 3},
      {"comment", "c"},
      {"max_attempts", 2},
      {"turn_delay_ms", 10}};
  const auto seed = parse_experiment_request(request, library, 12, 1000);
  ASSERT_TRUE(seed.ok()) << seed.error().message;
  int refused = 0;
  osprey::testing::for_each_json_mutation(request, 31, 2000, [&](const json& mutated) {
    Result<ExperimentBatch> batch = Error{ErrorCode::kInternal, "not parsed"};
    EXPECT_NO_THROW(batch = parse_experiment_request(mutated, library, 12, 1000)) << mutated.dump();
    if (!batch.ok()) {
      ++refused;
      // A maze named but not in the library is not found; every other refusal is the request's.
      EXPECT_TRUE(batch.error().code == ErrorCode::kInvalidRequest ||
                  batch.error().code == ErrorCode::kNotFound)
          << mutated.dump();
    } else {
      EXPECT_LE(batch->experiments.size(), 12u) << mutated.dump();
    }
  });
  EXPECT_GT(refused, 200);
}

}  // namespace
}  // namespace osprey::experiments
