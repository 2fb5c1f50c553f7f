#include "maze/maze.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "maze_fixture.h"

namespace osprey::maze {
namespace {

using json = nlohmann::json;

json small_json() {
  return {{"name", "tiny"}, {"width", 3}, {"height", 2}, {"grid_data", {{1, 0, 2}, {0, 0, 1}}}};
}

TEST(MazeTest, ReadsTheOriginalFormatAsGridYX) {
  auto maze = Maze::from_json(small_json());
  ASSERT_TRUE(maze.ok()) << maze.error().message;
  EXPECT_EQ(maze->name(), "tiny");
  EXPECT_EQ(maze->width(), 3);
  EXPECT_EQ(maze->height(), 2);
  EXPECT_EQ(maze->at({0, 0}), Cell::kWall);
  EXPECT_EQ(maze->at({2, 0}), Cell::kGoal);  // x=2 is the column of row y=0
  EXPECT_EQ(maze->at({2, 1}), Cell::kWall);
  EXPECT_EQ(maze->at({-1, 0}), Cell::kWall);  // outside reads as wall
  EXPECT_EQ(maze->at({3, 0}), Cell::kWall);
  EXPECT_FALSE(maze->in_bounds({0, 2}));
  ASSERT_EQ(maze->goals().size(), 1u);
  EXPECT_EQ(maze->goals()[0], (Position{2, 0}));
  EXPECT_FALSE(maze->see_through_walls());
}

TEST(MazeTest, RoundTripsThroughJson) {
  auto maze = Maze::from_json(small_json());
  ASSERT_TRUE(maze.ok());
  auto again = Maze::from_json(maze->to_json());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->to_json(), maze->to_json());
}

TEST(MazeTest, BadInputGivesErrorsNamingTheField) {
  struct Case {
    std::function<void(json&)> edit;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j.erase("width"); }, "width: is required"},
      {[](json& j) { j["height"] = 0; }, "height: must be an integer between 1 and 1000"},
      {[](json& j) {
         j["grid_data"][1] = json::array({0, 0});
       },
       "grid_data[1]: must be a list of 3"},
      {[](json& j) { j["grid_data"][0][1] = 7; }, "grid_data[0][1]: must be 0, 1 or 2"},
      {[](json& j) { j["grid_data"][0][2] = 0; }, "no goal cell"},
      {[](json& j) { j["see_through_walls"] = "yes"; }, "see_through_walls: must be true"},
      {[](json& j) { j["grid_data"] = json::array(); }, "grid_data: must be a list of 2 rows"},
  };
  for (const Case& c : cases) {
    json j = small_json();
    c.edit(j);
    auto maze = Maze::from_json(j);
    ASSERT_FALSE(maze.ok()) << c.message;
    EXPECT_EQ(maze.code(), ErrorCode::kInvalidRequest);
    EXPECT_NE(maze.error().message.find(c.message), std::string::npos) << maze.error().message;
  }
  EXPECT_FALSE(Maze::from_json(json::array()).ok());
}

TEST(MazeTest, LoadFileNamesThePath) {
  auto missing = Maze::load_file("/nonexistent/maze.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/maze.json"), std::string::npos);
  const auto path = std::filesystem::temp_directory_path() / "osprey_maze_test_bad.json";
  std::ofstream(path) << "{not json";
  auto bad = Maze::load_file(path.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not valid JSON"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(MazeTest, LoadsTheTwelveOriginals) {
  const auto dir = testing::original_mazes_dir();
  if (dir.empty()) GTEST_SKIP() << "shared/oriole/mazes not found next to the checkout";
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    auto maze = Maze::load_file(entry.path().string());
    ASSERT_TRUE(maze.ok()) << maze.error().message;
    EXPECT_EQ(maze->width(), 60);
    EXPECT_EQ(maze->height(), 60);
    EXPECT_EQ(maze->goals().size(), 1u);
    ++loaded;
  }
  EXPECT_EQ(loaded, 12);
}

}  // namespace
}  // namespace osprey::maze
