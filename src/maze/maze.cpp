#include "maze/maze.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "core/json_parse.h"

namespace osprey::maze {
namespace {

constexpr int kMaxSide = 1000;

Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidRequest, "maze: " + std::move(message));
}

}  // namespace

Result<Maze> Maze::create(std::string name, int width, int height, std::vector<Cell> cells,
                          bool see_through_walls) {
  if (width < 1 || width > kMaxSide) return invalid("width: must be between 1 and 1000");
  if (height < 1 || height > kMaxSide) return invalid("height: must be between 1 and 1000");
  if (cells.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height)) {
    return invalid("grid has " + std::to_string(cells.size()) + " cells, expected width*height " +
                   std::to_string(width * height));
  }
  Maze maze;
  maze.name_ = std::move(name);
  maze.width_ = width;
  maze.height_ = height;
  maze.see_through_walls_ = see_through_walls;
  maze.cells_ = std::move(cells);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (maze.at({x, y}) == Cell::kGoal) maze.goals_.push_back({x, y});
    }
  }
  if (maze.goals_.empty()) return invalid("grid has no goal cell (2)");
  return maze;
}

Result<Maze> Maze::from_json(const nlohmann::json& node) {
  if (!node.is_object()) return invalid("must be a JSON object {name, width, height, grid_data}");
  std::string name;
  if (auto it = node.find("name"); it != node.end()) {
    if (!it->is_string()) return invalid("name: must be a string");
    name = it->get<std::string>();
  }
  auto side = [&](const char* key) -> Result<int> {
    auto it = node.find(key);
    if (it == node.end()) return invalid(std::string(key) + ": is required");
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
        it->get<std::int64_t>() > kMaxSide) {
      return invalid(std::string(key) + ": must be an integer between 1 and 1000");
    }
    return static_cast<int>(it->get<std::int64_t>());
  };
  Result<int> width = side("width");
  if (!width) return width.error();
  Result<int> height = side("height");
  if (!height) return height.error();
  bool see_through = false;
  if (auto it = node.find("see_through_walls"); it != node.end() && !it->is_null()) {
    if (!it->is_boolean()) return invalid("see_through_walls: must be true or false");
    see_through = it->get<bool>();
  }
  auto grid = node.find("grid_data");
  if (grid == node.end()) return invalid("grid_data: is required");
  if (!grid->is_array() || grid->size() != static_cast<std::size_t>(*height)) {
    return invalid("grid_data: must be a list of " + std::to_string(*height) + " rows");
  }
  std::vector<Cell> cells;
  cells.reserve(static_cast<std::size_t>(*width) * static_cast<std::size_t>(*height));
  for (std::size_t y = 0; y < grid->size(); ++y) {
    const auto& row = (*grid)[y];
    const std::string where = "grid_data[" + std::to_string(y) + "]";
    if (!row.is_array() || row.size() != static_cast<std::size_t>(*width)) {
      return invalid(where + ": must be a list of " + std::to_string(*width) + " cells");
    }
    for (std::size_t x = 0; x < row.size(); ++x) {
      const auto& v = row[x];
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 2) {
        return invalid(where + "[" + std::to_string(x) + "]: must be 0, 1 or 2");
      }
      cells.push_back(static_cast<Cell>(v.get<int>()));
    }
  }
  return create(std::move(name), *width, *height, std::move(cells), see_through);
}

Result<Maze> Maze::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid("cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json node = parse_json(text.str());
  if (node.is_discarded()) return invalid("'" + path + "' is not valid JSON");
  Result<Maze> maze = from_json(node);
  if (!maze) return make_error(maze.code(), maze.error().message + " (in '" + path + "')");
  return maze;
}

nlohmann::json Maze::to_json() const {
  nlohmann::json grid = nlohmann::json::array();
  for (int y = 0; y < height_; ++y) {
    nlohmann::json row = nlohmann::json::array();
    for (int x = 0; x < width_; ++x) row.push_back(static_cast<int>(at({x, y})));
    grid.push_back(std::move(row));
  }
  return {{"name", name_},
          {"width", width_},
          {"height", height_},
          {"grid_data", std::move(grid)},
          {"see_through_walls", see_through_walls_}};
}

bool Maze::in_bounds(Position p) const {
  return p.x >= 0 && p.y >= 0 && p.x < width_ && p.y < height_;
}

Cell Maze::at(Position p) const {
  if (!in_bounds(p)) return Cell::kWall;
  return cells_[static_cast<std::size_t>(p.y) * static_cast<std::size_t>(width_) +
                static_cast<std::size_t>(p.x)];
}

}  // namespace osprey::maze
