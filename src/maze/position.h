#pragma once
// Position and Direction on a maze grid: x is the column, y the row; north is y-1, south y+1,
// east x+1, west x-1 (the original Oriole's convention).
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace osprey::maze {

struct Position {
  int x = 0;
  int y = 0;
  auto operator<=>(const Position&) const = default;
};

enum class Direction : std::uint8_t { kNorth, kSouth, kEast, kWest };

inline constexpr Direction kDirections[] = {Direction::kNorth, Direction::kSouth, Direction::kEast,
                                            Direction::kWest};

Position step(Position from, Direction d);
std::string_view direction_name(Direction d);  // "north", "south", "east", "west"
std::optional<Direction> parse_direction(std::string_view name);
Direction clockwise(Direction d);  // north -> east -> south -> west -> north
Direction opposite(Direction d);

std::string position_text(Position p);     // "(1,2)"
nlohmann::json position_json(Position p);  // {"x":1,"y":2}
// Reads {"x":int,"y":int}; std::nullopt when either is missing or not an integer.
std::optional<Position> parse_position(const nlohmann::json& node);

}  // namespace osprey::maze
