#pragma once
// Hand-drawn mazes for the maze tests ('#' wall, '.' empty, 'G' goal), and where the original
// Oriole mazes are (../shared/oriole/mazes next to the checkout, found by walking up from the
// working directory, or OSPREY_ORIOLE_MAZES).
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "maze/maze.h"

namespace osprey::maze::testing {

inline Maze drawn(const std::vector<std::string>& rows, bool see_through = false) {
  std::vector<Cell> cells;
  for (const std::string& row : rows) {
    for (char c : row)
      cells.push_back(c == '#' ? Cell::kWall : c == 'G' ? Cell::kGoal : Cell::kEmpty);
  }
  auto maze = Maze::create("drawn", static_cast<int>(rows.at(0).size()),
                           static_cast<int>(rows.size()), std::move(cells), see_through);
  EXPECT_TRUE(maze.ok()) << (maze.ok() ? "" : maze.error().message);
  return std::move(maze.value());
}

inline std::filesystem::path original_mazes_dir() {
  if (const char* dir = std::getenv("OSPREY_ORIOLE_MAZES")) return dir;
  std::error_code ec;
  for (auto dir = std::filesystem::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
    const auto candidate = dir / "shared" / "oriole" / "mazes";
    if (std::filesystem::is_directory(candidate, ec)) return candidate;
    if (dir == dir.parent_path()) break;
  }
  return {};
}

}  // namespace osprey::maze::testing
