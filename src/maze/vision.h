#pragma once
// What the agent sees from a cell: its own cell plus rays north, south, east and west of up to
// `range` cells, a wall seen and stopping its ray; with see_through_walls, every cell of the
// square of radius `range` around it (Chebyshev distance). Cells outside the grid are not seen.
#include <vector>

#include <nlohmann/json.hpp>

#include "maze/maze.h"

namespace osprey::maze {

struct VisionRules {
  int range = 3;
  bool see_through_walls = false;
};

struct Tile {
  Position pos;
  Cell cell = Cell::kEmpty;
  bool operator==(const Tile&) const = default;
};

// In a fixed order: own cell, then north, south, east, west rays outward (or the square row by
// row), so recorded actions are deterministic.
std::vector<Tile> visible_tiles(const Maze& maze, Position from, const VisionRules& rules);

bool sees_goal(const Maze& maze, Position from, const VisionRules& rules);

std::string_view cell_name(Cell c);  // "empty", "wall", "goal"
// [{"x":1,"y":2,"type":"wall"}, ...]
nlohmann::json tiles_json(const std::vector<Tile>& tiles);

}  // namespace osprey::maze
