#include "maze/position.h"

namespace osprey::maze {

Position step(Position from, Direction d) {
  switch (d) {
    case Direction::kNorth:
      return {from.x, from.y - 1};
    case Direction::kSouth:
      return {from.x, from.y + 1};
    case Direction::kEast:
      return {from.x + 1, from.y};
    case Direction::kWest:
      return {from.x - 1, from.y};
  }
  return from;
}

std::string_view direction_name(Direction d) {
  switch (d) {
    case Direction::kNorth:
      return "north";
    case Direction::kSouth:
      return "south";
    case Direction::kEast:
      return "east";
    case Direction::kWest:
      return "west";
  }
  return "north";
}

std::optional<Direction> parse_direction(std::string_view name) {
  for (Direction d : kDirections) {
    if (direction_name(d) == name) return d;
  }
  return std::nullopt;
}

Direction clockwise(Direction d) {
  switch (d) {
    case Direction::kNorth:
      return Direction::kEast;
    case Direction::kEast:
      return Direction::kSouth;
    case Direction::kSouth:
      return Direction::kWest;
    case Direction::kWest:
      return Direction::kNorth;
  }
  return d;
}

Direction opposite(Direction d) { return clockwise(clockwise(d)); }

std::string position_text(Position p) {
  std::string out = "(";
  out += std::to_string(p.x);
  out += ',';
  out += std::to_string(p.y);
  out += ')';
  return out;
}

nlohmann::json position_json(Position p) { return {{"x", p.x}, {"y", p.y}}; }

std::optional<Position> parse_position(const nlohmann::json& node) {
  if (!node.is_object()) return std::nullopt;
  auto x = node.find("x");
  auto y = node.find("y");
  if (x == node.end() || y == node.end() || !x->is_number_integer() || !y->is_number_integer()) {
    return std::nullopt;
  }
  const auto xv = x->get<std::int64_t>();
  const auto yv = y->get<std::int64_t>();
  constexpr std::int64_t kMax = 1'000'000;
  if (xv < -kMax || xv > kMax || yv < -kMax || yv > kMax) return std::nullopt;
  return Position{static_cast<int>(xv), static_cast<int>(yv)};
}

}  // namespace osprey::maze
