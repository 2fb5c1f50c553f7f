#include "maze/vision.h"

namespace osprey::maze {

std::vector<Tile> visible_tiles(const Maze& maze, Position from, const VisionRules& rules) {
  std::vector<Tile> out;
  if (rules.see_through_walls) {
    for (int y = from.y - rules.range; y <= from.y + rules.range; ++y) {
      for (int x = from.x - rules.range; x <= from.x + rules.range; ++x) {
        if (maze.in_bounds({x, y})) out.push_back({{x, y}, maze.at({x, y})});
      }
    }
    return out;
  }
  if (maze.in_bounds(from)) out.push_back({from, maze.at(from)});
  for (Direction d : kDirections) {
    Position p = from;
    for (int i = 0; i < rules.range; ++i) {
      p = step(p, d);
      if (!maze.in_bounds(p)) break;
      out.push_back({p, maze.at(p)});
      if (maze.at(p) == Cell::kWall) break;
    }
  }
  return out;
}

bool sees_goal(const Maze& maze, Position from, const VisionRules& rules) {
  for (const Tile& t : visible_tiles(maze, from, rules)) {
    if (t.cell == Cell::kGoal) return true;
  }
  return false;
}

std::string_view cell_name(Cell c) {
  switch (c) {
    case Cell::kEmpty:
      return "empty";
    case Cell::kWall:
      return "wall";
    case Cell::kGoal:
      return "goal";
  }
  return "empty";
}

nlohmann::json tiles_json(const std::vector<Tile>& tiles) {
  nlohmann::json out = nlohmann::json::array();
  for (const Tile& t : tiles) {
    nlohmann::json tile = position_json(t.pos);
    tile["type"] = cell_name(t.cell);
    out.push_back(std::move(tile));
  }
  return out;
}

}  // namespace osprey::maze
