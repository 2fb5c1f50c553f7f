#pragma once
// Seeded maze generators: the same spec always gives the same maze (own PRNG, no std
// distributions, so the result does not depend on the standard library). Every generated maze
// has its start cell open and a goal reachable from it.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "maze/maze.h"

namespace osprey::maze {

struct GeneratorSpec {
  // "backtracker" (recursive backtracker, then walls knocked out until wall_density is reached),
  // "open_field", "rooms" (rooms and corridors), "spiral", "scatter" (random scatter).
  std::string kind = "backtracker";
  int width = 60;
  int height = 60;
  std::uint64_t seed = 1;
  double wall_density = -1;  // target share of wall cells; < 0 picks the kind's default
  Position start = kOriginalStart;
  std::string name;  // empty: "<kind>-<seed>"
};

// Parses {"kind", "width", "height", "seed", "wall_density", "start":{x,y}, "name"}; errors name
// the key ("generator.width: must be between 7 and 1000").
Result<GeneratorSpec> parse_generator_spec(const nlohmann::json& node);
// The kinds above, in that order (GET /v1/mazes lists them).
std::span<const std::string_view> generator_kinds();
nlohmann::json generator_spec_json(const GeneratorSpec& spec);

Result<Maze> generate_maze(const GeneratorSpec& spec);

}  // namespace osprey::maze
