#include "maze/maze_generator.h"

#include <gtest/gtest.h>

#include "maze/shortest_path.h"
#include "maze/start_position.h"

namespace osprey::maze {
namespace {

using json = nlohmann::json;

const std::vector<std::string> kKinds = {"backtracker", "open_field", "rooms", "spiral", "scatter"};

double wall_share(const Maze& maze) {
  int walls = 0;
  for (int y = 0; y < maze.height(); ++y) {
    for (int x = 0; x < maze.width(); ++x) walls += maze.at({x, y}) == Cell::kWall ? 1 : 0;
  }
  return static_cast<double>(walls) / (maze.width() * maze.height());
}

TEST(MazeGeneratorTest, ListsTheKindsItAccepts) {
  const auto kinds = generator_kinds();
  EXPECT_EQ(std::vector<std::string>(kinds.begin(), kinds.end()), kKinds);
  EXPECT_FALSE(parse_generator_spec(json{{"kind", "maze"}}).ok());
}

TEST(MazeGeneratorTest, SameSpecGivesTheSameMazeAndOtherSeedsDiffer) {
  for (const std::string& kind : kKinds) {
    GeneratorSpec spec;
    spec.kind = kind;
    spec.seed = 7;
    auto a = generate_maze(spec);
    auto b = generate_maze(spec);
    ASSERT_TRUE(a.ok()) << kind << ": " << a.error().message;
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(a->to_json(), b->to_json()) << kind;
    spec.seed = 8;
    auto c = generate_maze(spec);
    ASSERT_TRUE(c.ok());
    EXPECT_NE(a->to_json()["grid_data"], c->to_json()["grid_data"]) << kind;
    EXPECT_EQ(a->name(), kind + "-7");
  }
}

TEST(MazeGeneratorTest, EveryKindIsSolvableFromItsStartAcrossSeeds) {
  for (const std::string& kind : kKinds) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      GeneratorSpec spec;
      spec.kind = kind;
      spec.seed = seed;
      spec.width = 31 + static_cast<int>(seed % 3) * 10;
      spec.height = 25 + static_cast<int>(seed % 4) * 10;
      auto maze = generate_maze(spec);
      ASSERT_TRUE(maze.ok()) << kind << " " << seed << ": " << maze.error().message;
      ASSERT_EQ(maze->goals().size(), 1u);
      EXPECT_TRUE(maze->is_open(spec.start)) << kind << " " << seed;
      const auto dist = bfs_distances(*maze, spec.start);
      const Position g = maze->goals()[0];
      EXPECT_GT(dist[static_cast<std::size_t>(g.y * maze->width() + g.x)], 0)
          << kind << " " << seed;
      // The border is closed.
      for (int x = 0; x < maze->width(); ++x) {
        EXPECT_EQ(maze->at({x, 0}), Cell::kWall);
        EXPECT_EQ(maze->at({x, maze->height() - 1}), Cell::kWall);
      }
      auto start = resolve_start(*maze, std::nullopt, {3, false}, GoalRule::kReach);
      ASSERT_TRUE(start.ok());
      EXPECT_EQ(*start, spec.start);
    }
  }
}

TEST(MazeGeneratorTest, WallDensityIsHonoured) {
  GeneratorSpec spec;
  spec.kind = "backtracker";
  spec.wall_density = 0.30;
  auto sparse = generate_maze(spec);
  spec.wall_density = 0.45;
  auto dense = generate_maze(spec);
  ASSERT_TRUE(sparse.ok() && dense.ok());
  EXPECT_NEAR(wall_share(*sparse), 0.30, 0.01);
  EXPECT_NEAR(wall_share(*dense), 0.45, 0.01);
  spec.kind = "scatter";
  spec.wall_density = 0.2;
  auto scatter = generate_maze(spec);
  ASSERT_TRUE(scatter.ok());
  // Interior density 0.2 plus the 236 border cells of 3600.
  EXPECT_NEAR(wall_share(*scatter), 0.2 * 58 * 58 / 3600 + 236.0 / 3600, 0.03);
}

TEST(MazeGeneratorTest, ParsesSpecsWithErrorsNamingTheKey) {
  auto spec = parse_generator_spec(json{{"kind", "rooms"},
                                        {"width", 40},
                                        {"height", 30},
                                        {"seed", 5},
                                        {"start", {{"x", 3}, {"y", 4}}}});
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->kind, "rooms");
  EXPECT_EQ(spec->start, (Position{3, 4}));
  auto back = parse_generator_spec(generator_spec_json(*spec));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(generator_spec_json(*back), generator_spec_json(*spec));
  for (const auto& [bad, message] : std::vector<std::pair<json, std::string>>{
           {json{{"kind", "hexagon"}}, "generator.kind"},
           {json{{"width", 3}}, "generator.width: must be an integer between 7 and 1000"},
           {json{{"seed", -1}}, "generator.seed"},
           {json{{"wall_density", 0.95}}, "generator.wall_density"},
           {json{{"start", {{"x", 0}, {"y", 2}}}}, "generator.start"},
           {json{{"colour", "red"}}, "generator.colour: unknown key"}}) {
    auto parsed = parse_generator_spec(bad);
    ASSERT_FALSE(parsed.ok()) << bad.dump();
    EXPECT_NE(parsed.error().message.find(message), std::string::npos) << parsed.error().message;
  }
}

}  // namespace
}  // namespace osprey::maze
