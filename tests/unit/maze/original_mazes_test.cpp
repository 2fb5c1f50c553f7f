// The baseline agents on the twelve original Oriole mazes (read from ../shared/oriole/mazes next
// to the checkout, never copied): local/explorer must find the goal in each within 10,000 moves;
// local/wall-follower and local/random are reported, not asserted. Prints the table kept in
// docs/maze.md.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "maze/agent_loop.h"
#include "maze/agents/local_agent.h"
#include "maze/shortest_path.h"
#include "maze/start_position.h"
#include "maze_fixture.h"

namespace osprey::maze {
namespace {

struct Row {
  int moves = 0;
  bool found = false;
};

Row run_agent(const Maze& maze, Position start, LocalAgentKind kind, const std::string& model) {
  ExperimentConfig config;
  config.model = model;
  config.seed = 1;
  config.limits.max_moves = 10'000;
  config.limits.max_turns = 20'000;
  config.history_window = 3;
  ModelFn fn = [kind](const providers::ChatRequest& request) -> Result<ModelReply> {
    auto answer = answer_as_local_agent(kind, request);
    if (!answer) return answer.error();
    return ModelReply{std::move(answer.value()), 0, 0};
  };
  VectorActionSink sink;
  auto outcome = run_experiment(config, maze, start, fn, sink);
  EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().message);
  if (!outcome.ok()) return {};
  return {outcome->metrics.successful_moves, outcome->metrics.success};
}

std::string cell(const Row& r) {
  return r.found ? std::to_string(r.moves) : "not found (" + std::to_string(r.moves) + ")";
}

TEST(OriginalMazesTest, ExplorerFindsEveryGoalWithinTenThousandMoves) {
  const auto dir = testing::original_mazes_dir();
  if (dir.empty()) GTEST_SKIP() << "shared/oriole/mazes not found next to the checkout";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 12u);
  std::printf(
      "| maze | start | BFS optimum | local/explorer | local/wall-follower | local/random |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const auto& file : files) {
    auto maze = Maze::load_file(file.string());
    ASSERT_TRUE(maze.ok()) << maze.error().message;
    const ExperimentConfig defaults;
    const VisionRules vision = vision_rules(defaults, *maze);
    auto start = resolve_start(*maze, std::nullopt, vision, defaults.goal_rule);
    ASSERT_TRUE(start.ok()) << start.error().message;
    const auto optimum = optimal_moves(*maze, *start, vision, defaults.goal_rule);
    ASSERT_TRUE(optimum.has_value());
    const Row explorer = run_agent(*maze, *start, LocalAgentKind::kExplorer, "local/explorer");
    const Row follower =
        run_agent(*maze, *start, LocalAgentKind::kWallFollower, "local/wall-follower");
    const Row random = run_agent(*maze, *start, LocalAgentKind::kRandom, "local/random");
    EXPECT_TRUE(explorer.found) << maze->name();
    EXPECT_GE(explorer.moves, *optimum) << maze->name();
    std::printf("| %s | %s | %d | %s | %s | %s |\n", maze->name().c_str(),
                position_text(*start).c_str(), *optimum, cell(explorer).c_str(),
                cell(follower).c_str(), cell(random).c_str());
  }
}

}  // namespace
}  // namespace osprey::maze
