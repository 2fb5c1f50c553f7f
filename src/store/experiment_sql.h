#pragma once
// ExperimentSql: the experiment queries both backends run, built once for either SQL dialect
// (numbered parameters ?N / $N, and the few expressions that differ), plus a row reader that
// works over either backend's result. Values always travel as parameters; only checked
// identifiers (never values) shape the text. Not thread-safe: one per query.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/experiment_input.h"
#include "store/experiment_records.h"

namespace osprey::store {

enum class SqlDialect { kSqlite, kPostgres };

using SqlValue = std::variant<std::int64_t, std::string>;

class ExperimentSql {
 public:
  explicit ExperimentSql(SqlDialect dialect) : dialect_(dialect) {}

  // Records `value` as the next parameter and returns its placeholder (?N, $N, $N::bigint).
  std::string param(std::int64_t value);
  std::string param(std::string value);

  // " WHERE ..." for `filter` (before_id and limit included only if `paged`).
  std::string where(const ExperimentFilter& filter, bool paged);
  // The experiment columns read_experiment expects; maze is '' unless `with_maze`.
  std::string columns(bool with_maze) const;
  // SELECT ... FROM experiments WHERE ... for compare (groups first, then the sums that
  // read_aggregate expects).
  std::string compare(const ExperimentCompare& compare);
  // SELECT of one experiment with its maze: by id within `tenant` (nullopt: any tenant), or
  // the one that runs the job item (job_id, item_key).
  std::string select_by_id(std::int64_t id, std::optional<std::int64_t> tenant);
  std::string select_by_item(std::int64_t job_id, std::string item_key);
  // SELECT of one page of experiments for list_experiments: newest first, mazes left out.
  std::string list(const ExperimentFilter& filter);

  const std::vector<SqlValue>& args() const { return args_; }

 private:
  SqlDialect dialect_;
  std::vector<SqlValue> args_;
};

// Action columns in the order read_action expects and append writes.
inline constexpr std::string_view kActionColumns =
    "experiment_id, step_number, turn_number, action_type, reasoning, from_x, from_y, to_x, "
    "to_y, success, tiles_seen, tokens_in, tokens_out, cost_micros, model_ms, elapsed_ms";

// Row: anything with text(i), int64(i), boolean(i) and is_null(i) over the current row.
template <typename Row>
Experiment read_experiment(const Row& r) {
  Experiment e;
  e.id = r.int64(0);
  e.tenant_id = r.int64(1);
  if (!r.is_null(2)) e.job_id = r.int64(2);
  e.item_key = r.text(3);
  e.maze_ref = r.text(4);
  e.maze_json = r.text(5);
  e.start_x = static_cast<int>(r.int64(6));
  e.start_y = static_cast<int>(r.int64(7));
  e.agent = r.text(8);
  e.model = r.text(9);
  e.model_config_json = r.text(10);
  e.comment = r.text(11);
  e.seed = r.int64(12);
  e.state = parse_experiment_state(r.text(13)).value_or(ExperimentState::kQueued);
  e.outcome = r.text(14);
  e.error = r.text(15);
  e.attempts = static_cast<int>(r.int64(16));
  e.archived = r.boolean(17);
  if (r.boolean(18)) {
    ExperimentMetrics m;
    m.success = r.boolean(19);
    m.duration_ms = r.int64(20);
    m.turns = r.int64(21);
    m.actions = r.int64(22);
    m.moves = r.int64(23);
    m.optimal_moves = r.int64(24);
    m.wall_collisions = r.int64(25);
    m.revisits = r.int64(26);
    m.loops = r.int64(27);
    m.invalid_tool_calls = r.int64(28);
    m.missing_tool_calls = r.int64(29);
    m.tokens_in = r.int64(30);
    m.tokens_out = r.int64(31);
    m.cost_micros = r.int64(32);
    m.extra_json = r.text(33);
    e.metrics = std::move(m);
  }
  e.created_at = r.text(34);
  if (!r.is_null(35)) e.started_at = r.text(35);
  if (!r.is_null(36)) e.finished_at = r.text(36);
  return e;
}

template <typename Row>
ExperimentAction read_action(const Row& r) {
  ExperimentAction a;
  a.experiment_id = r.int64(0);
  a.step_number = r.int64(1);
  a.turn_number = r.int64(2);
  a.action_type = r.text(3);
  a.reasoning = r.text(4);
  a.from_x = static_cast<int>(r.int64(5));
  a.from_y = static_cast<int>(r.int64(6));
  a.to_x = static_cast<int>(r.int64(7));
  a.to_y = static_cast<int>(r.int64(8));
  a.success = r.boolean(9);
  a.tiles_seen_json = r.text(10);
  a.tokens_in = r.int64(11);
  a.tokens_out = r.int64(12);
  a.cost_micros = r.int64(13);
  a.model_ms = r.int64(14);
  a.elapsed_ms = r.int64(15);
  return a;
}

// `groups` group columns first, then the sums in ExperimentAggregate's order.
template <typename Row>
ExperimentAggregate read_aggregate(const Row& r, bool by_model, std::size_t config_keys) {
  ExperimentAggregate g;
  int c = 0;
  if (by_model) g.model = r.text(c++);
  for (std::size_t i = 0; i < config_keys; ++i) g.config_values.push_back(r.text(c++));
  for (std::int64_t* field : {&g.experiments, &g.measured, &g.succeeded, &g.duration_ms, &g.turns,
                              &g.actions, &g.moves, &g.optimal_moves, &g.with_optimal,
                              &g.wall_collisions, &g.revisits, &g.loops, &g.invalid_tool_calls,
                              &g.missing_tool_calls, &g.tokens_in, &g.tokens_out, &g.cost_micros}) {
    *field = r.int64(c++);
  }
  return g;
}

}  // namespace osprey::store
