#pragma once
// The per-experiment numbers of issue 7, computed from the recorded actions alone, so they can be
// recomputed from the store for any past run.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "maze/action_record.h"
#include "maze/experiment_config.h"
#include "maze/maze.h"

namespace osprey::maze {

struct ExperimentMetrics {
  bool success = false;    // end_reason == goal_found
  std::string end_reason;  // goal_found, max_moves, max_turns, max_duration, cancelled
  std::int64_t duration_ms = 0;
  int turns = 0;
  int actions = 0;
  int successful_moves = 0;
  std::optional<int> optimal_moves;        // BFS optimum (see shortest_path.h)
  std::optional<double> moves_vs_optimal;  // successful_moves / optimal_moves, when successful
  int wall_collisions = 0;                 // moves refused by a wall or the edge
  int unique_cells = 0;                    // cells stood on, start included
  int revisits = 0;                        // successful moves onto an already visited cell
  double revisit_rate = 0;                 // revisits / successful_moves
  int loop_cells = 0;                      // cells visited >= 10 times
  int max_visits = 0;                      // most visits to one cell
  int invalid_tool_calls = 0;
  int no_tool_calls = 0;
  int refused_tool_calls = 0;  // recalls too early, calls over max_actions_per_turn
  int recalls = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost_usd = 0;
  std::optional<std::int64_t> tokens_per_success;  // all tokens, when the run succeeded
  std::optional<double> cost_per_success;
};

inline constexpr int kLoopVisits = 10;

ExperimentMetrics compute_metrics(const Maze& maze, const ExperimentConfig& config, Position start,
                                  std::span<const ActionRecord> actions, std::string end_reason,
                                  std::int64_t duration_ms);

nlohmann::json metrics_json(const ExperimentMetrics& metrics);

}  // namespace osprey::maze
