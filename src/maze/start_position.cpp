#include "maze/start_position.h"

#include <cstdlib>
#include <deque>
#include <tuple>

#include "maze/vision.h"

namespace osprey::maze {
namespace {

// Every open cell from which a run can find the goal: a multi-source search backwards from the
// cells where the goal counts as found.
std::vector<bool> cells_that_can_find_goal(const Maze& maze, const VisionRules& vision,
                                           GoalRule rule) {
  const auto w = static_cast<std::size_t>(maze.width());
  std::vector<bool> can(w * static_cast<std::size_t>(maze.height()), false);
  auto index = [w](Position p) {
    return static_cast<std::size_t>(p.y) * w + static_cast<std::size_t>(p.x);
  };
  std::deque<Position> queue;
  for (int y = 0; y < maze.height(); ++y) {
    for (int x = 0; x < maze.width(); ++x) {
      const Position p{x, y};
      if (!maze.is_open(p)) continue;
      const bool found =
          rule == GoalRule::kReach ? maze.at(p) == Cell::kGoal : sees_goal(maze, p, vision);
      if (found) {
        can[index(p)] = true;
        queue.push_back(p);
      }
    }
  }
  while (!queue.empty()) {
    const Position p = queue.front();
    queue.pop_front();
    for (Direction d : kDirections) {
      const Position n = step(p, d);
      if (!maze.is_open(n) || can[index(n)]) continue;
      can[index(n)] = true;
      queue.push_back(n);
    }
  }
  return can;
}

}  // namespace

Result<Position> resolve_start(const Maze& maze, std::optional<Position> requested,
                               const VisionRules& vision, GoalRule rule) {
  if (requested) {
    if (!maze.in_bounds(*requested)) {
      return make_error(ErrorCode::kInvalidRequest, "start: " + position_text(*requested) +
                                                        " is outside the " +
                                                        std::to_string(maze.width()) + "x" +
                                                        std::to_string(maze.height()) + " maze");
    }
    if (!maze.is_open(*requested)) {
      return make_error(ErrorCode::kInvalidRequest,
                        "start: " + position_text(*requested) + " is a wall");
    }
    return *requested;
  }
  const std::vector<bool> can = cells_that_can_find_goal(maze, vision, rule);
  std::optional<std::tuple<int, int, int>> best;  // (distance, y, x)
  for (int y = 0; y < maze.height(); ++y) {
    for (int x = 0; x < maze.width(); ++x) {
      if (!can[static_cast<std::size_t>(y) * static_cast<std::size_t>(maze.width()) +
               static_cast<std::size_t>(x)]) {
        continue;
      }
      const int distance = std::abs(x - kOriginalStart.x) + std::abs(y - kOriginalStart.y);
      const std::tuple<int, int, int> key{distance, y, x};
      if (!best || key < *best) best = key;
    }
  }
  if (!best) {
    return make_error(ErrorCode::kInvalidRequest,
                      "maze '" + maze.name() + "': no open cell from which the goal can be found");
  }
  return Position{std::get<2>(*best), std::get<1>(*best)};
}

}  // namespace osprey::maze
