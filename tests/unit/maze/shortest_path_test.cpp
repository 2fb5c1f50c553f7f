#include "maze/shortest_path.h"

#include <gtest/gtest.h>

#include "maze/start_position.h"
#include "maze_fixture.h"

namespace osprey::maze {
namespace {

using testing::drawn;

TEST(ShortestPathTest, BreadthFirstDistancesGoRoundWalls) {
  const Maze maze = drawn({"#######", "#...#G#", "#.#.#.#", "#.#...#", "#######"});
  const auto dist = bfs_distances(maze, {1, 1});
  auto at = [&](int x, int y) { return dist[static_cast<std::size_t>(y * 7 + x)]; };
  EXPECT_EQ(at(1, 1), 0);
  EXPECT_EQ(at(3, 1), 2);
  EXPECT_EQ(at(1, 3), 2);
  EXPECT_EQ(at(5, 3), 6);
  EXPECT_EQ(at(5, 1), 8);
  EXPECT_EQ(at(4, 1), -1);  // wall
  EXPECT_EQ(at(2, 3), -1);
}

TEST(ShortestPathTest, OptimumIsTheNearestCellWhereTheGoalCountsAsFound) {
  const Maze maze = drawn({"#######", "#...#G#", "#.#.#.#", "#.#...#", "#######"});
  EXPECT_EQ(optimal_moves(maze, {1, 1}, {1, false}, GoalRule::kReach), 8);
  // Range 2: the goal at (5,1) is seen from (5,3), 6 moves away.
  EXPECT_EQ(optimal_moves(maze, {1, 1}, {2, false}, GoalRule::kSeen), 6);
  // Range 1: from (5,2), 7 moves away.
  EXPECT_EQ(optimal_moves(maze, {1, 1}, {1, false}, GoalRule::kSeen), 7);
  // See-through, range 2: from (3,1) the square reaches x=5.
  EXPECT_EQ(optimal_moves(maze, {1, 1}, {2, true}, GoalRule::kSeen), 2);
}

TEST(ShortestPathTest, UnreachableGoalHasNoOptimum) {
  const Maze maze = drawn({"#####", "#.#G#", "#####"});
  EXPECT_FALSE(optimal_moves(maze, {1, 1}, {3, false}, GoalRule::kSeen).has_value());
  EXPECT_TRUE(optimal_moves(maze, {1, 1}, {3, true}, GoalRule::kSeen).has_value());
}

TEST(StartPositionTest, ExplicitStartMustBeOpenAndInside) {
  const Maze maze = drawn({"#####", "#..G#", "#####"});
  EXPECT_EQ(*resolve_start(maze, Position{1, 1}, {1, false}, GoalRule::kSeen), (Position{1, 1}));
  auto wall = resolve_start(maze, Position{0, 1}, {1, false}, GoalRule::kSeen);
  ASSERT_FALSE(wall.ok());
  EXPECT_EQ(wall.error().message, "start: (0,1) is a wall");
  auto outside = resolve_start(maze, Position{9, 1}, {1, false}, GoalRule::kSeen);
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("outside the 5x3 maze"), std::string::npos);
}

TEST(StartPositionTest, DefaultIsTwoTwoOrTheNearestCellThatCanFindTheGoal) {
  const Maze open = drawn({"######", "#....#", "#....#", "#...G#", "######"});
  EXPECT_EQ(*resolve_start(open, std::nullopt, {1, false}, GoalRule::kSeen), (Position{2, 2}));
  // (2,2) is a wall; (1,2) is as near as (3,2) and wins the tie on x, but its pocket is sealed.
  const Maze cut = drawn({"#######", "#.#...#", "#.#.#.#", "###...#", "#####G#", "#######"});
  EXPECT_EQ(*resolve_start(cut, std::nullopt, {1, false}, GoalRule::kReach), (Position{3, 2}));
  const Maze sealed = drawn({"#####", "#.#G#", "#####"});
  EXPECT_EQ(*resolve_start(sealed, std::nullopt, {1, false}, GoalRule::kReach), (Position{3, 1}));
}

}  // namespace
}  // namespace osprey::maze
