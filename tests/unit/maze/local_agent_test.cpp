#include "maze/agents/local_agent.h"

#include <gtest/gtest.h>

#include "maze/agent_loop.h"
#include "maze/observation.h"
#include "maze_fixture.h"

namespace osprey::maze {
namespace {

using testing::drawn;

providers::ChatRequest request_with(const Observation& o, std::int64_t seed = 0) {
  providers::ChatRequest r;
  r.model = "local/explorer";
  r.inference.seed = seed;
  r.messages.push_back(
      {providers::Role::kUser, {providers::TextBlock{"Turn 1.\n" + render_observation(o)}}});
  return r;
}

Observation observation(std::vector<std::string> map, Position at,
                        std::optional<Direction> last = std::nullopt) {
  Observation o;
  o.position = at;
  o.width = static_cast<int>(map[0].size());
  o.height = static_cast<int>(map.size());
  o.turn = 1;
  o.goal_rule = "seen";
  o.last_move = last;
  o.map = std::move(map);
  return o;
}

std::string moved(const Result<providers::ChatResponse>& r) {
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok() || r->content.empty()) return "";
  const auto* use = std::get_if<providers::ToolUseBlock>(&r->content[0]);
  return use == nullptr ? "text" : use->name;
}

TEST(ObservationTest, RendersAndParsesBack) {
  const Observation o = observation({"#?#", "#.G"}, {1, 1}, Direction::kWest);
  auto back = find_observation(request_with(o));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->position, (Position{1, 1}));
  EXPECT_EQ(back->map, o.map);
  EXPECT_EQ(back->last_move, Direction::kWest);
  providers::ChatRequest none;
  none.messages.push_back({providers::Role::kUser, {providers::TextBlock{"no block here"}}});
  EXPECT_FALSE(find_observation(none).ok());
}

TEST(LocalAgentTest, NamesParseWithOrWithoutPrefix) {
  EXPECT_EQ(parse_local_agent("local/explorer"), LocalAgentKind::kExplorer);
  EXPECT_EQ(parse_local_agent("wall-follower"), LocalAgentKind::kWallFollower);
  EXPECT_EQ(parse_local_agent("random"), LocalAgentKind::kRandom);
  EXPECT_FALSE(parse_local_agent("local/genius").has_value());
}

TEST(LocalAgentTest, ExplorerWalksToTheNearestFrontier) {
  // Known corridor going east then south; the unknown is beyond (3,3).
  const Observation o = observation({"#####", "#...#", "###.#", "###.?", "#####"}, {1, 1});
  EXPECT_EQ(moved(answer_as_local_agent(LocalAgentKind::kExplorer, request_with(o))), "move_east");
  const Observation there = observation({"#####", "#...#", "###.#", "###.?", "#####"}, {3, 1});
  EXPECT_EQ(moved(answer_as_local_agent(LocalAgentKind::kExplorer, request_with(there))),
            "move_south");
}

TEST(LocalAgentTest, ExplorerWithReachRuleWalksToAKnownGoal) {
  Observation o = observation({"#####", "#..G#", "#?###"}, {1, 1});
  o.goal_rule = "reach";
  EXPECT_EQ(moved(answer_as_local_agent(LocalAgentKind::kExplorer, request_with(o))), "move_east");
}

TEST(LocalAgentTest, ExplorerWithNothingLeftAnswersWithoutAToolCall) {
  const Observation o = observation({"####", "#..#", "####"}, {1, 1});
  auto r = answer_as_local_agent(LocalAgentKind::kExplorer, request_with(o));
  EXPECT_EQ(moved(r), "text");
}

TEST(LocalAgentTest, WallFollowerKeepsTheWallOnItsRight) {
  // Heading east; right (south) is a wall, straight (east) is open.
  const Observation o = observation({"#####", "#...#", "#####"}, {1, 1}, Direction::kEast);
  EXPECT_EQ(moved(answer_as_local_agent(LocalAgentKind::kWallFollower, request_with(o))),
            "move_east");
  // Heading north at a corner with an opening on the right (east).
  const Observation corner = observation({"#####", "#...#", "#.###"}, {1, 1}, Direction::kNorth);
  EXPECT_EQ(moved(answer_as_local_agent(LocalAgentKind::kWallFollower, request_with(corner))),
            "move_east");
}

TEST(LocalAgentTest, RandomNeverPicksAKnownWallAndRepeatsPerSeed) {
  const Observation o = observation({"#####", "#...#", "##.##", "#####"}, {2, 1});
  std::set<std::string> seen;
  for (std::int64_t seed = 0; seed < 50; ++seed) {
    const std::string a =
        moved(answer_as_local_agent(LocalAgentKind::kRandom, request_with(o, seed)));
    EXPECT_EQ(a, moved(answer_as_local_agent(LocalAgentKind::kRandom, request_with(o, seed))));
    EXPECT_NE(a, "move_north");
    seen.insert(a);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"move_east", "move_west", "move_south"}));
}

TEST(LocalAgentTest, RequestWithoutObservationIsInvalid) {
  providers::ChatRequest r;
  r.messages.push_back({providers::Role::kUser, {providers::TextBlock{"hello"}}});
  auto answer = answer_as_local_agent(LocalAgentKind::kExplorer, r);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.code(), ErrorCode::kInvalidRequest);
}

TEST(LocalAgentTest, ExplorerSolvesGeneratedMazesThroughTheLoop) {
  const Maze maze = drawn(
      {"#########", "#...#...#", "#.#.#.#.#", "#.#...#.#", "#.#####.#", "#......G#", "#########"});
  ExperimentConfig config;
  config.model = "local/explorer";
  config.vision_range = 1;
  config.goal_rule = GoalRule::kReach;
  ModelFn model = [](const providers::ChatRequest& request) -> Result<ModelReply> {
    auto answer = answer_as_local_agent(LocalAgentKind::kExplorer, request);
    if (!answer) return answer.error();
    return ModelReply{std::move(answer.value()), 0, 0};
  };
  VectorActionSink sink;
  auto outcome = run_experiment(config, maze, {1, 1}, model, sink);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->metrics.success);
  EXPECT_EQ(outcome->final_position, (Position{7, 5}));
  EXPECT_EQ(outcome->metrics.wall_collisions, 0);
}

}  // namespace
}  // namespace osprey::maze
