#include "maze/experiment_metrics.h"

#include <algorithm>
#include <map>

#include "maze/shortest_path.h"

namespace osprey::maze {
namespace {

// A call the rules refused (recall too early, over max_actions_per_turn) carries detail.error;
// a move into a wall does not.
bool refused(const ActionRecord& a) { return a.detail.is_object() && a.detail.contains("error"); }

}  // namespace

ExperimentMetrics compute_metrics(const Maze& maze, const ExperimentConfig& config, Position start,
                                  std::span<const ActionRecord> actions, std::string end_reason,
                                  std::int64_t duration_ms) {
  ExperimentMetrics m;
  m.success = end_reason == "goal_found";
  m.end_reason = std::move(end_reason);
  m.duration_ms = duration_ms;
  m.actions = static_cast<int>(actions.size());
  m.optimal_moves = optimal_moves(maze, start, vision_rules(config, maze), config.goal_rule);
  std::map<Position, int> visits{{start, 1}};
  for (const ActionRecord& a : actions) {
    m.turns = std::max(m.turns, a.turn_number);
    m.input_tokens += a.input_tokens;
    m.output_tokens += a.output_tokens;
    m.cost_usd += a.cost_usd;
    if (a.action_type == kNoToolCall) {
      ++m.no_tool_calls;
    } else if (a.action_type == kInvalidToolCall) {
      ++m.invalid_tool_calls;
    } else if (a.action_type.starts_with("move_")) {
      if (a.success) {
        ++m.successful_moves;
        if (visits[a.to]++ > 0) ++m.revisits;
      } else if (!refused(a)) {
        ++m.wall_collisions;
      } else {
        ++m.refused_tool_calls;
      }
    } else if (a.success) {
      ++m.recalls;
    } else {
      ++m.refused_tool_calls;
    }
  }
  m.unique_cells = static_cast<int>(visits.size());
  for (const auto& [cell, count] : visits) {
    m.max_visits = std::max(m.max_visits, count);
    if (count >= kLoopVisits) ++m.loop_cells;
  }
  if (m.successful_moves > 0) {
    m.revisit_rate = static_cast<double>(m.revisits) / static_cast<double>(m.successful_moves);
  }
  if (m.success) {
    if (m.optimal_moves && *m.optimal_moves > 0) {
      m.moves_vs_optimal =
          static_cast<double>(m.successful_moves) / static_cast<double>(*m.optimal_moves);
    }
    m.tokens_per_success = m.input_tokens + m.output_tokens;
    m.cost_per_success = m.cost_usd;
  }
  return m;
}

nlohmann::json metrics_json(const ExperimentMetrics& m) {
  auto optional = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"success", m.success},
          {"end_reason", m.end_reason},
          {"duration_ms", m.duration_ms},
          {"turns", m.turns},
          {"actions", m.actions},
          {"successful_moves", m.successful_moves},
          {"optimal_moves", optional(m.optimal_moves)},
          {"moves_vs_optimal", optional(m.moves_vs_optimal)},
          {"wall_collisions", m.wall_collisions},
          {"unique_cells", m.unique_cells},
          {"revisits", m.revisits},
          {"revisit_rate", m.revisit_rate},
          {"loop_cells", m.loop_cells},
          {"max_visits", m.max_visits},
          {"invalid_tool_calls", m.invalid_tool_calls},
          {"no_tool_calls", m.no_tool_calls},
          {"refused_tool_calls", m.refused_tool_calls},
          {"recalls", m.recalls},
          {"input_tokens", m.input_tokens},
          {"output_tokens", m.output_tokens},
          {"cost_usd", m.cost_usd},
          {"tokens_per_success", optional(m.tokens_per_success)},
          {"cost_per_success", optional(m.cost_per_success)}};
}

}  // namespace osprey::maze
