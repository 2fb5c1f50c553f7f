#pragma once
// Maze: an immutable grid of cells, grid[y][x], 0 empty, 1 wall, 2 goal, in the original Oriole's
// JSON shape ({name, width, height, grid_data[, see_through_walls]}). Cells outside the grid read
// as walls. Copyable value; safe to share between threads.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "maze/position.h"

namespace osprey::maze {

enum class Cell : std::uint8_t { kEmpty = 0, kWall = 1, kGoal = 2 };

// The original twelve mazes start the agent here.
inline constexpr Position kOriginalStart{2, 2};

class Maze {
 public:
  // Fails with invalid_request when the sizes do not match, a size is outside 1..1000, or there
  // is no goal cell.
  static Result<Maze> create(std::string name, int width, int height, std::vector<Cell> cells,
                             bool see_through_walls = false);
  // The original JSON format; errors name the field ("grid_data[3][7]: must be 0, 1 or 2").
  static Result<Maze> from_json(const nlohmann::json& node);
  // Reads a JSON file; errors name the path.
  static Result<Maze> load_file(const std::string& path);

  nlohmann::json to_json() const;  // the original format, round-trips through from_json

  const std::string& name() const { return name_; }
  int width() const { return width_; }
  int height() const { return height_; }
  // The file's see_through_walls flag (false when absent); an experiment may override it.
  bool see_through_walls() const { return see_through_walls_; }

  bool in_bounds(Position p) const;
  Cell at(Position p) const;  // kWall outside the grid
  bool is_open(Position p) const { return at(p) != Cell::kWall; }
  const std::vector<Position>& goals() const { return goals_; }

 private:
  Maze() = default;

  std::string name_;
  int width_ = 0;
  int height_ = 0;
  bool see_through_walls_ = false;
  std::vector<Cell> cells_;  // row-major: cells_[y * width_ + x]
  std::vector<Position> goals_;
};

}  // namespace osprey::maze
