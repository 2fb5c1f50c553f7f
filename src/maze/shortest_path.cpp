#include "maze/shortest_path.h"

#include <deque>

#include "maze/vision.h"

namespace osprey::maze {

std::vector<int> bfs_distances(const Maze& maze, Position from) {
  const auto w = static_cast<std::size_t>(maze.width());
  std::vector<int> dist(w * static_cast<std::size_t>(maze.height()), -1);
  auto index = [w](Position p) {
    return static_cast<std::size_t>(p.y) * w + static_cast<std::size_t>(p.x);
  };
  if (!maze.in_bounds(from)) return dist;
  std::deque<Position> queue{from};
  dist[index(from)] = 0;
  while (!queue.empty()) {
    const Position p = queue.front();
    queue.pop_front();
    for (Direction d : kDirections) {
      const Position n = step(p, d);
      if (!maze.is_open(n) || dist[index(n)] >= 0) continue;
      dist[index(n)] = dist[index(p)] + 1;
      queue.push_back(n);
    }
  }
  return dist;
}

std::optional<int> optimal_moves(const Maze& maze, Position start, const VisionRules& vision,
                                 GoalRule rule) {
  const std::vector<int> dist = bfs_distances(maze, start);
  std::optional<int> best;
  for (int y = 0; y < maze.height(); ++y) {
    for (int x = 0; x < maze.width(); ++x) {
      const int d = dist[static_cast<std::size_t>(y) * static_cast<std::size_t>(maze.width()) +
                         static_cast<std::size_t>(x)];
      if (d < 0 || (best && d >= *best)) continue;
      const bool found = rule == GoalRule::kReach ? maze.at({x, y}) == Cell::kGoal
                                                  : sees_goal(maze, {x, y}, vision);
      if (found) best = d;
    }
  }
  return best;
}

}  // namespace osprey::maze
