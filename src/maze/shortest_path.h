#pragma once
// Breadth-first distances on the open cells of a maze (4-neighbour moves), and the optimum a run
// is measured against: the fewest moves from the start to a cell where the goal counts as found
// (a cell from which a goal is visible under the run's vision rules; a goal cell for `reach`).
#include <optional>
#include <vector>

#include "maze/experiment_config.h"
#include "maze/maze.h"

namespace osprey::maze {

// Distance in moves from `from` to every cell, -1 where unreachable; row-major like the grid.
std::vector<int> bfs_distances(const Maze& maze, Position from);

// std::nullopt when no such cell can be reached.
std::optional<int> optimal_moves(const Maze& maze, Position start, const VisionRules& vision,
                                 GoalRule rule);

}  // namespace osprey::maze
