#include "experiments/experiment_view.h"

#include "core/json_parse.h"
#include "maze/position.h"

namespace osprey::experiments {
namespace {

using nlohmann::json;

json parsed(const std::string& text, json fallback) {
  json value = parse_json(text);
  return value.is_discarded() ? fallback : value;
}

json nullable(const std::optional<std::string>& text) { return text ? json(*text) : json(); }

json metrics_view(const store::ExperimentMetrics& m) {
  // The full metrics the run computed (extra_json), over the typed columns the store sums.
  json out = parsed(m.extra_json, json::object());
  if (!out.is_object()) out = json::object();
  out["success"] = m.success;
  out["duration_ms"] = m.duration_ms;
  out["turns"] = m.turns;
  out["actions"] = m.actions;
  out["successful_moves"] = m.moves;
  out["optimal_moves"] = m.optimal_moves >= 0 ? json(m.optimal_moves) : json();
  out["wall_collisions"] = m.wall_collisions;
  out["revisits"] = m.revisits;
  out["loop_cells"] = m.loops;
  out["invalid_tool_calls"] = m.invalid_tool_calls;
  out["no_tool_calls"] = m.missing_tool_calls;
  out["input_tokens"] = m.tokens_in;
  out["output_tokens"] = m.tokens_out;
  out["cost_usd"] = static_cast<double>(m.cost_micros) / 1e6;
  return out;
}

double mean(std::int64_t sum, std::int64_t n) {
  return n > 0 ? static_cast<double>(sum) / static_cast<double>(n) : 0.0;
}

}  // namespace

json experiment_view(const store::Experiment& e, bool with_maze) {
  json maze = json::object();
  if (with_maze) {
    maze = parsed(e.maze_json, json::object());
    if (!maze.is_object()) maze = json::object();
  }
  maze["ref"] = e.maze_ref;
  return {{"id", e.id},
          {"object", "experiment"},
          {"state", store::experiment_state_name(e.state)},
          {"outcome", e.outcome},
          {"error", e.error},
          {"job_id", e.job_id ? json(*e.job_id) : json()},
          {"maze", std::move(maze)},
          {"start", maze::position_json({e.start_x, e.start_y})},
          {"agent", e.agent},
          {"model", e.model},
          {"model_config", parsed(e.model_config_json, json::object())},
          {"comment", e.comment},
          {"seed", e.seed},
          {"attempts", e.attempts},
          {"archived", e.archived},
          {"metrics", e.metrics ? metrics_view(*e.metrics) : json()},
          {"created_at", e.created_at},
          {"started_at", nullable(e.started_at)},
          {"finished_at", nullable(e.finished_at)}};
}

json action_view(const store::ExperimentAction& a) {
  return action_view(a, parsed(a.tiles_seen_json, json::array()));
}

json action_view(const store::ExperimentAction& a, json tiles_seen) {
  return {{"step", a.step_number},
          {"turn", a.turn_number},
          {"action_type", a.action_type},
          {"reasoning", a.reasoning},
          {"from", maze::position_json({a.from_x, a.from_y})},
          {"to", maze::position_json({a.to_x, a.to_y})},
          {"success", a.success},
          {"tiles_seen", std::move(tiles_seen)},
          {"tokens_in", a.tokens_in},
          {"tokens_out", a.tokens_out},
          {"cost_usd", static_cast<double>(a.cost_micros) / 1e6},
          {"model_ms", a.model_ms},
          {"elapsed_ms", a.elapsed_ms}};
}

json aggregate_view(const store::ExperimentAggregate& r, bool by_model,
                    const std::vector<std::string>& config_keys) {
  json group = json::object();
  if (by_model) group["model"] = r.model;
  for (std::size_t i = 0; i < config_keys.size() && i < r.config_values.size(); ++i) {
    group["model_config." + config_keys[i]] = parsed(r.config_values[i], json());
  }
  const std::int64_t n = r.measured;
  const std::int64_t tokens = r.tokens_in + r.tokens_out;
  return {{"group", std::move(group)},
          {"experiments", r.experiments},
          {"measured", n},
          {"succeeded", r.succeeded},
          {"success_rate", mean(r.succeeded, n)},
          {"mean_duration_ms", mean(r.duration_ms, n)},
          {"mean_turns", mean(r.turns, n)},
          {"mean_actions", mean(r.actions, n)},
          {"mean_moves", mean(r.moves, n)},
          // Mean moves over the mean BFS optimum (of the runs whose optimum is known).
          {"moves_vs_optimal", r.optimal_moves > 0 && n > 0
                                   ? json(mean(r.moves, n) / mean(r.optimal_moves, r.with_optimal))
                                   : json()},
          {"mean_wall_collisions", mean(r.wall_collisions, n)},
          {"revisit_rate", r.moves > 0 ? mean(r.revisits, r.moves) : 0.0},
          {"mean_loop_cells", mean(r.loops, n)},
          {"mean_invalid_tool_calls", mean(r.invalid_tool_calls, n)},
          {"mean_no_tool_calls", mean(r.missing_tool_calls, n)},
          {"tokens_in", r.tokens_in},
          {"tokens_out", r.tokens_out},
          {"cost_usd", static_cast<double>(r.cost_micros) / 1e6},
          {"tokens_per_success", r.succeeded > 0 ? json(mean(tokens, r.succeeded)) : json()},
          {"cost_per_success_usd",
           r.succeeded > 0 ? json(mean(r.cost_micros, r.succeeded) / 1e6) : json()}};
}

}  // namespace osprey::experiments
