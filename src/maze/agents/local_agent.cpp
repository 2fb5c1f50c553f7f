#include "maze/agents/local_agent.h"

#include <deque>
#include <utility>

#include "maze/observation.h"
#include "maze/seeded_random.h"

namespace osprey::maze {
namespace {

// The agent's memory, rebuilt from the observation block of the request.
class KnownMap {
 public:
  explicit KnownMap(const Observation& o) : o_(o) {}

  bool in_bounds(Position p) const {
    return p.x >= 0 && p.y >= 0 && p.x < o_.width && p.y < o_.height;
  }
  char at(Position p) const {
    return in_bounds(p) ? o_.map[static_cast<std::size_t>(p.y)][static_cast<std::size_t>(p.x)]
                        : '#';
  }
  bool known_open(Position p) const { return at(p) == '.' || at(p) == 'G'; }
  bool maybe_open(Position p) const { return in_bounds(p) && at(p) != '#'; }
  bool is_frontier(Position p) const {
    for (Direction d : kDirections) {
      if (in_bounds(step(p, d)) && at(step(p, d)) == '?') return true;
    }
    return false;
  }

  // Breadth-first over known open cells from the agent; the first step towards the nearest cell
  // satisfying `target` (neighbours in N, S, E, W order, so ties break the same way every time).
  template <typename Target>
  std::optional<Direction> first_step_towards(Target target) const {
    const auto w = static_cast<std::size_t>(o_.width);
    auto index = [w](Position p) {
      return static_cast<std::size_t>(p.y) * w + static_cast<std::size_t>(p.x);
    };
    std::vector<int> first(w * static_cast<std::size_t>(o_.height), -1);
    std::deque<Position> queue{o_.position};
    first[index(o_.position)] = 4;  // the start itself
    while (!queue.empty()) {
      const Position p = queue.front();
      queue.pop_front();
      if (p != o_.position && target(p)) return static_cast<Direction>(first[index(p)]);
      for (Direction d : kDirections) {
        const Position n = step(p, d);
        if (!known_open(n) || first[index(n)] >= 0) continue;
        first[index(n)] = p == o_.position ? static_cast<int>(d) : first[index(p)];
        queue.push_back(n);
      }
    }
    return std::nullopt;
  }

 private:
  const Observation& o_;
};

using Decision = std::pair<std::optional<Direction>, std::string>;  // move (or none) and why

Decision decide_random(const Observation& o, const KnownMap& map, std::int64_t seed) {
  std::vector<Direction> options;
  for (Direction d : kDirections) {
    if (map.maybe_open(step(o.position, d))) options.push_back(d);
  }
  if (options.empty()) return {std::nullopt, "walled in on every side"};
  SeededRandom random(static_cast<std::uint64_t>(seed));
  const Direction d = options[random.below(options.size())];
  return {d, "random choice among directions not known to be walls"};
}

Decision decide_wall_follower(const Observation& o, const KnownMap& map) {
  const Direction heading = o.last_move.value_or(Direction::kEast);
  // Right-hand rule: right, straight, left, back.
  const Direction right = clockwise(heading);
  for (Direction d : {right, heading, opposite(right), opposite(heading)}) {
    if (map.maybe_open(step(o.position, d))) return {d, "keeping the wall on my right"};
  }
  return {std::nullopt, "walled in on every side"};
}

Decision decide_explorer(const Observation& o, const KnownMap& map) {
  if (o.goal_rule == "reach") {
    if (auto d = map.first_step_towards([&](Position p) { return map.at(p) == 'G'; })) {
      return {*d, "walking to the goal"};
    }
  }
  if (map.is_frontier(o.position)) {
    // Only with vision range 0: step into the unseen neighbour.
    for (Direction d : kDirections) {
      if (map.in_bounds(step(o.position, d)) && map.at(step(o.position, d)) == '?') {
        return {d, "stepping into an unseen tile"};
      }
    }
  }
  if (auto d = map.first_step_towards([&](Position p) { return map.is_frontier(p); })) {
    return {*d, "heading for the nearest unexplored frontier"};
  }
  return {std::nullopt, "every reachable tile is explored and no goal is in reach"};
}

}  // namespace

std::optional<LocalAgentKind> parse_local_agent(std::string_view name) {
  if (name.starts_with("local/")) name.remove_prefix(6);
  if (name == "random") return LocalAgentKind::kRandom;
  if (name == "wall-follower") return LocalAgentKind::kWallFollower;
  if (name == "explorer") return LocalAgentKind::kExplorer;
  return std::nullopt;
}

const std::vector<std::string>& local_model_names() {
  static const std::vector<std::string> names = {"local/random", "local/wall-follower",
                                                 "local/explorer"};
  return names;
}

Result<providers::ChatResponse> answer_as_local_agent(LocalAgentKind kind,
                                                      const providers::ChatRequest& request) {
  Result<Observation> observation = find_observation(request);
  if (!observation) return observation.error();
  const Observation& o = *observation;
  const KnownMap map(o);
  Decision decision;
  switch (kind) {
    case LocalAgentKind::kRandom:
      decision = decide_random(o, map, request.inference.seed.value_or(0));
      break;
    case LocalAgentKind::kWallFollower:
      decision = decide_wall_follower(o, map);
      break;
    case LocalAgentKind::kExplorer:
      decision = decide_explorer(o, map);
      break;
  }
  providers::ChatResponse response;
  response.id = "local-" + std::to_string(o.turn);
  response.model = request.model;
  if (decision.first) {
    response.content.push_back(
        providers::ToolUseBlock{"call_" + std::to_string(o.turn),
                                "move_" + std::string(direction_name(*decision.first)),
                                {{"reasoning", decision.second}}});
    response.stop_reason = providers::StopReason::kToolUse;
  } else {
    response.content.push_back(providers::TextBlock{decision.second});
    response.stop_reason = providers::StopReason::kEndTurn;
  }
  return response;
}

}  // namespace osprey::maze
