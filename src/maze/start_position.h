#pragma once
// Where a run starts. An explicit start must be an open cell inside the grid. Without one, the
// maze's default (2,2) is used when it is open and the goal can be found from it; otherwise the
// nearest open cell (Manhattan distance, then y, then x) from which the goal can be found — the
// original mazes 03-06 and 09-12 have a wall at (2,2), and in 11 and 12 the goal cannot be
// reached from the (2,2) area at all.
#include <optional>

#include "core/result.h"
#include "maze/experiment_config.h"
#include "maze/maze.h"

namespace osprey::maze {

Result<Position> resolve_start(const Maze& maze, std::optional<Position> requested,
                               const VisionRules& vision, GoalRule rule);

}  // namespace osprey::maze
