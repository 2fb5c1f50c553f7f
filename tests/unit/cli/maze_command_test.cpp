#include "cli/maze_command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace osprey::cli {
namespace {

using nlohmann::json;

TEST(MazeArgument, LibraryIdGeneratorAndInlineFile) {
  EXPECT_EQ(maze_argument("03_medium_maze").value(), json("03_medium_maze"));
  EXPECT_EQ(maze_argument("gen:spiral").value(), (json{{"generator", {{"kind", "spiral"}}}}));
  EXPECT_EQ(maze_argument("gen:rooms:42").value(),
            (json{{"generator", {{"kind", "rooms"}, {"seed", 42}}}}));
  EXPECT_FALSE(maze_argument("gen:rooms:x"));

  const auto path = std::filesystem::temp_directory_path() / "osprey_maze_cli_test.json";
  {
    std::ofstream out(path);
    out << R"({"name":"t","width":2,"height":1,"grid_data":[[0,2]]})";
  }
  auto inline_maze = maze_argument(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(inline_maze);
  EXPECT_EQ(inline_maze.value()["name"], "t");
  EXPECT_FALSE(maze_argument("/nonexistent/maze.json"));
}

TEST(ExperimentRequestFromFlags, RunSendsOneMazeAndTypedConfig) {
  auto request = experiment_request_from_flags({{"maze", "01_sparse_maze"},
                                                {"model", "local/explorer"},
                                                {"temperature", "0.2"},
                                                {"max-moves", "500"},
                                                {"prompt-version", "v2"},
                                                {"start", "3,4"},
                                                {"comment", "baseline"}},
                                               false);
  ASSERT_TRUE(request) << request.error().message;
  const json& r = request.value();
  EXPECT_EQ(r["maze"], "01_sparse_maze");
  EXPECT_EQ(r["model_config"]["model"], "local/explorer");
  EXPECT_EQ(r["model_config"]["temperature"], 0.2);
  EXPECT_EQ(r["model_config"]["max_moves"], 500);
  EXPECT_EQ(r["model_config"]["prompt_version"], "v2");
  EXPECT_EQ(r["start"], (json{{"x", 3}, {"y", 4}}));
  EXPECT_EQ(r["comment"], "baseline");
  EXPECT_FALSE(r.contains("mazes"));
}

TEST(ExperimentRequestFromFlags, SweepCrossesModelsAndTemperatures) {
  auto request = experiment_request_from_flags({{"maze", "a,gen:spiral"},
                                                {"model", "m1,m2"},
                                                {"temperatures", "0.1,0.7"},
                                                {"repetitions", "3"}},
                                               true);
  ASSERT_TRUE(request) << request.error().message;
  const json& r = request.value();
  ASSERT_EQ(r["mazes"].size(), 2u);
  EXPECT_EQ(r["mazes"][1]["generator"]["kind"], "spiral");
  ASSERT_EQ(r["model_configs"].size(), 4u);
  EXPECT_EQ(r["model_configs"][0], (json{{"model", "m1"}, {"temperature", 0.1}}));
  EXPECT_EQ(r["model_configs"][3], (json{{"model", "m2"}, {"temperature", 0.7}}));
  EXPECT_EQ(r["repetitions"], 3);
}

TEST(ExperimentRequestFromFlags, MissingOrBadFlagsAreUsageErrors) {
  EXPECT_FALSE(experiment_request_from_flags({{"model", "m"}}, false));
  EXPECT_FALSE(experiment_request_from_flags({{"maze", "x"}}, false));
  EXPECT_FALSE(
      experiment_request_from_flags({{"maze", "x"}, {"model", "m"}, {"start", "1"}}, false));
  EXPECT_FALSE(
      experiment_request_from_flags({{"maze", "x"}, {"model", "m"}, {"config", "[1]"}}, false));
}

}  // namespace
}  // namespace osprey::cli
