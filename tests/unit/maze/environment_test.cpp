#include "maze/environment.h"

#include <gtest/gtest.h>

#include "maze/action_record.h"
#include "maze_fixture.h"

namespace osprey::maze {
namespace {

using json = nlohmann::json;
using testing::drawn;

EnvironmentRules rules(int range = 2, GoalRule goal = GoalRule::kSeen, int recall = 0,
                       bool see_through = false) {
  return {{range, see_through}, goal, recall};
}

// 7x5, the agent starts at (1,1); the goal is far east behind a wall.
Maze corridor() { return drawn({"#######", "#...#G#", "#.#...#", "#.....#", "#######"}); }

TEST(EnvironmentTest, MoveIntoFreeCellSucceedsAndReportsWhatIsSeen) {
  const Maze maze = corridor();
  Environment env(maze, {1, 1}, rules());
  ToolOutcome out = env.execute("move_east", json{{"reasoning", "open to the east"}});
  EXPECT_EQ(out.action_type, "move_east");
  EXPECT_TRUE(out.success);
  EXPECT_FALSE(out.wall_collision);
  EXPECT_EQ(out.from, (Position{1, 1}));
  EXPECT_EQ(out.to, (Position{2, 1}));
  EXPECT_EQ(out.reasoning, "open to the east");
  EXPECT_EQ(env.position(), (Position{2, 1}));
  EXPECT_EQ(env.successful_moves(), 1);
  EXPECT_EQ(out.result["success"], true);
  EXPECT_EQ(out.result["position"], (json{{"x", 2}, {"y", 1}}));
  EXPECT_EQ(out.result["foundGoal"], false);
  EXPECT_TRUE(out.result["message"].is_string());
  EXPECT_EQ(out.result["visible"], tiles_json(out.tiles_seen));
  EXPECT_EQ(out.tiles_seen.front(), (Tile{{2, 1}, Cell::kEmpty}));
}

TEST(EnvironmentTest, MoveIntoWallOrEdgeStaysAndIsRecordedAsFailed) {
  const Maze maze = drawn({"...", ".#G"});
  Environment env(maze, {0, 0}, rules(1));
  ToolOutcome wall = env.execute("move_south", json::object());
  EXPECT_TRUE(wall.success);  // (0,1) is open
  ToolOutcome blocked = env.execute("move_east", json::object());
  EXPECT_FALSE(blocked.success);
  EXPECT_TRUE(blocked.wall_collision);
  EXPECT_EQ(blocked.to, (Position{0, 1}));
  EXPECT_NE(blocked.result["message"].get<std::string>().find("wall"), std::string::npos);
  ToolOutcome edge = env.execute("move_west", json::object());
  EXPECT_FALSE(edge.success);
  EXPECT_TRUE(edge.wall_collision);
  EXPECT_NE(edge.result["message"].get<std::string>().find("edge"), std::string::npos);
  EXPECT_EQ(env.position(), (Position{0, 1}));
  EXPECT_EQ(env.successful_moves(), 1);
  EXPECT_EQ(env.execute("move_south", json::object()).success, false);  // bottom edge
}

TEST(EnvironmentTest, VisionRaysStopAtTheFirstWallWhichIsSeen) {
  const Maze maze = drawn({"#########", "#...#...#", "#.......#", "#...#..G#", "#########"});
  const auto tiles = visible_tiles(maze, {2, 2}, {3, false});
  // own, north (2,1) then wall (2,0) stops; south (2,3), wall (2,4); east (3,2),(4,2),(5,2);
  // west (1,2), wall (0,2).
  const std::vector<Tile> expected = {{{2, 2}, Cell::kEmpty}, {{2, 1}, Cell::kEmpty},
                                      {{2, 0}, Cell::kWall},  {{2, 3}, Cell::kEmpty},
                                      {{2, 4}, Cell::kWall},  {{3, 2}, Cell::kEmpty},
                                      {{4, 2}, Cell::kEmpty}, {{5, 2}, Cell::kEmpty},
                                      {{1, 2}, Cell::kEmpty}, {{0, 2}, Cell::kWall}};
  EXPECT_EQ(tiles, expected);
  // A wall right next to the agent is seen and hides what is behind it.
  const auto blocked = visible_tiles(maze, {3, 1}, {5, false});
  EXPECT_NE(std::find(blocked.begin(), blocked.end(), Tile{{4, 1}, Cell::kWall}), blocked.end());
  EXPECT_EQ(std::find_if(blocked.begin(), blocked.end(),
                         [](const Tile& t) { return t.pos.x > 4 && t.pos.y == 1; }),
            blocked.end());
}

TEST(EnvironmentTest, SeeThroughWallsSeesTheWholeSquareClippedToTheGrid) {
  const Maze maze = drawn({"#####", "#.#G#", "#####"});
  const auto square = visible_tiles(maze, {1, 1}, {2, true});
  EXPECT_EQ(square.size(), 12u);  // x -1..3 and y -1..3, clipped to x 0..3 and y 0..2
  EXPECT_TRUE(sees_goal(maze, {1, 1}, {2, true}));
  EXPECT_FALSE(sees_goal(maze, {1, 1}, {2, false}));
}

TEST(EnvironmentTest, GoalSeenCountsAsFoundWithoutStandingOnIt) {
  const Maze maze = drawn({"#######", "#....G#", "#######"});
  Environment env(maze, {1, 1}, rules(2));
  EXPECT_FALSE(env.goal_found());
  EXPECT_FALSE(env.execute("move_east", json::object()).result["foundGoal"]);  // sees to (4,1)
  ToolOutcome out = env.execute("move_east", json::object());                  // sees (5,1)
  EXPECT_TRUE(out.result["foundGoal"]);
  EXPECT_TRUE(env.goal_found());
  EXPECT_EQ(env.position(), (Position{3, 1}));
}

TEST(EnvironmentTest, GoalReachRuleNeedsStandingOnIt) {
  const Maze maze = drawn({"#######", "#....G#", "#######"});
  Environment env(maze, {1, 1}, rules(10, GoalRule::kReach));
  EXPECT_FALSE(env.goal_found());  // in sight from the start
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(env.execute("move_east", json::object()).result["foundGoal"]);
  EXPECT_TRUE(env.execute("move_east", json::object()).result["foundGoal"]);
  EXPECT_EQ(env.position(), (Position{5, 1}));
}

TEST(EnvironmentTest, GoalInSightFromTheStartIsFoundAtOnce) {
  const Maze maze = drawn({"#####", "#.G.#", "#####"});
  Environment env(maze, {1, 1}, rules(1));
  EXPECT_TRUE(env.goal_found());
}

TEST(EnvironmentTest, RecallIntervalIsEnforcedBetweenRecalls) {
  const Maze maze = corridor();
  Environment env(maze, {1, 1}, rules(1, GoalRule::kSeen, 2));
  ToolOutcome first = env.execute("recall_movement_history", json{{"depth", 5}});
  EXPECT_TRUE(first.success);  // the first recall is always allowed
  ToolOutcome early = env.execute("recall_all", json::object());
  EXPECT_FALSE(early.success);
  EXPECT_TRUE(early.refused);
  EXPECT_EQ(early.result["error"], "recall_too_early");
  ASSERT_TRUE(env.execute("move_south", json::object()).success);
  ASSERT_TRUE(env.execute("move_north", json{{"x", 1}}).success);  // unknown arguments ignored
  // Two successful moves since the last recall: allowed again. Failed moves do not count.
  ToolOutcome again = env.execute("recall_movement_history", json{{"depth", "2"}});
  EXPECT_TRUE(again.success) << again.result.dump();
  ASSERT_TRUE(env.execute("move_east", json::object()).success);
  EXPECT_FALSE(env.execute("move_north", json::object()).success);  // wall: (2,0)
  EXPECT_TRUE(env.execute("recall_all", json::object()).refused);
}

TEST(EnvironmentTest, RecallHistoryReturnsTheLastActionsWithWhatWasSeen) {
  const Maze maze = corridor();
  Environment env(maze, {1, 1}, rules(1));
  env.execute("move_east", json::object());
  env.execute("move_north", json::object());  // wall
  env.execute("move_east", json::object());
  ToolOutcome out = env.execute("recall_movement_history", json{{"depth", 2}});
  ASSERT_TRUE(out.success);
  const json& history = out.result["history"];
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["action"], "move_north");
  EXPECT_EQ(history[0]["success"], false);
  EXPECT_EQ(history[1]["action"], "move_east");
  EXPECT_EQ(history[1]["to"], (json{{"x", 3}, {"y", 1}}));
  EXPECT_FALSE(history[1]["visible"].empty());
}

TEST(EnvironmentTest, RecallAllGroupsEveryDiscoveredTile) {
  const Maze maze = drawn({"#####", "#..G#", "#####"});
  Environment env(maze, {1, 1}, rules(1, GoalRule::kReach));
  env.execute("move_east", json::object());
  ToolOutcome out = env.execute("recall_all", json::object());
  ASSERT_TRUE(out.success);
  EXPECT_EQ(out.result["path"], (json{{{"x", 1}, {"y", 1}}, {{"x", 2}, {"y", 1}}}));
  EXPECT_EQ(out.result["tiles"]["goal"], (json{{{"x", 3}, {"y", 1}}}));
  EXPECT_EQ(out.result["tiles"]["empty"].size(), 2u);
  // Walls seen: (1,0),(0,1),(1,2) from the start; (2,0),(2,2) after the move.
  EXPECT_EQ(out.result["tiles"]["wall"].size(), 5u);
  const auto map = env.known_map();
  EXPECT_EQ(map[1], "#..G?");
  EXPECT_EQ(map[0], "?##??");
}

TEST(EnvironmentTest, UnknownToolsAndBadArgumentsAreInvalidAndChangeNothing) {
  const Maze maze = corridor();
  Environment env(maze, {1, 1}, rules());
  for (const auto& [tool, args] : std::vector<std::pair<std::string, json>>{
           {"jump", json::object()},
           {"move_up", json::object()},
           {"move_east", json::array()},
           {"recall_movement_history", json::object()},
           {"recall_movement_history", json{{"depth", 0}}},
           {"recall_movement_history", json{{"depth", "many"}}},
           {"recall_movement_history", json{{"depth", 2.5}}}}) {
    ToolOutcome out = env.execute(tool, args);
    EXPECT_TRUE(out.invalid) << tool << " " << args.dump();
    EXPECT_EQ(out.action_type, kInvalidToolCall);
    EXPECT_EQ(out.result["error"], "invalid_tool_call");
    EXPECT_EQ(out.result["tool"], tool);
  }
  EXPECT_EQ(env.position(), (Position{1, 1}));
  EXPECT_EQ(env.successful_moves(), 0);
  // The first valid recall is still allowed: invalid calls are not recalls.
  EXPECT_TRUE(env.execute("recall_movement_history", json{{"depth", 3.0}}).success);
}

TEST(EnvironmentTest, ToolListFollowsToolsJsonPlusRecallAll) {
  std::vector<std::string> names;
  for (const auto& t : maze_tools()) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"move_north", "move_south", "move_east", "move_west",
                                             "recall_movement_history", "recall_all"}));
  EXPECT_EQ(maze_tools()[4].input_schema["required"], json::array({"depth"}));
}

}  // namespace
}  // namespace osprey::maze
