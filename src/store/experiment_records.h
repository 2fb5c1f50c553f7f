#pragma once
// Records of the maze experiment tables (experiments, experiment_actions) as they cross the
// Store boundary (issue 7). An experiment is one agent run in one maze with one model
// configuration; its actions are every tool call (or missing one) the agent made, keyed by
// step. Timestamps are ISO-8601 UTC text with milliseconds like the other records; money is
// micro-USD; durations are milliseconds.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osprey::store {

// queued → running → completed | failed | cancelled. `completed` means the run ended by its own
// rules (goal found or a limit reached; `outcome` and the metrics say which); `failed` means it
// could not run (e.g. the model server kept failing: the item went to dead letters).
// A retried attempt goes back to running (see ExperimentUpdate::reset_actions).
enum class ExperimentState { kQueued, kRunning, kCompleted, kFailed, kCancelled };

std::string_view experiment_state_name(ExperimentState state);  // "queued", "completed", ...
std::optional<ExperimentState> parse_experiment_state(std::string_view name);
inline bool is_finished(ExperimentState state) {
  return state != ExperimentState::kQueued && state != ExperimentState::kRunning;
}

// What a finished run measured. Typed columns (not JSON) so compare_experiments sums them
// exactly and identically on both backends. Ratios (revisit rate, cost per success) are
// derived from these counts by the reader.
struct ExperimentMetrics {
  bool success = false;                 // the goal was found (by the experiment's goal rule)
  std::int64_t duration_ms = 0;         // wall time of the run
  std::int64_t turns = 0;               // model calls
  std::int64_t actions = 0;             // recorded actions (tool calls + missing ones)
  std::int64_t moves = 0;               // successful moves
  std::int64_t optimal_moves = -1;      // BFS optimum to the nearest goal-seeing cell; -1 unknown
  std::int64_t wall_collisions = 0;     // moves refused by a wall or the edge
  std::int64_t revisits = 0;            // moves into a cell visited before
  std::int64_t loops = 0;               // cells visited >= 10 times
  std::int64_t invalid_tool_calls = 0;  // unknown tool, bad arguments, recall too early
  std::int64_t missing_tool_calls = 0;  // turns answered without a tool call (no_tool_call)
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t cost_micros = 0;
  std::string extra_json = "{}";  // further metrics the store keeps but does not aggregate

  bool operator==(const ExperimentMetrics&) const = default;
};

struct NewExperiment {
  std::int64_t tenant_id = 0;
  // The job item that runs it (0 / "" until linked; set_experiment_job links it later).
  std::int64_t job_id = 0;
  std::string item_key;
  std::string maze_ref;          // the maze's id or name, e.g. "maze-03" or "generated"; 1..200
  std::string maze_json = "{}";  // the stored maze ({name,width,height,grid_data}) or generator
                                 // spec: enough to replay the run without the original file
  int start_x = 0;
  int start_y = 0;
  std::string agent;                     // e.g. "llm", "local/explorer"; 1..200 bytes
  std::string model_config_json = "{}";  // JSON object; its "model" string is the model filter
  std::string comment;                   // free text, searchable
  std::int64_t seed = 0;
};

struct Experiment {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::optional<std::int64_t> job_id;
  std::string item_key;
  std::string maze_ref;
  std::string maze_json;
  int start_x = 0;
  int start_y = 0;
  std::string agent;
  std::string model;  // model_config.model ("" if absent)
  std::string model_config_json;
  std::string comment;
  std::int64_t seed = 0;
  ExperimentState state = ExperimentState::kQueued;
  std::string outcome;  // "" until finished; e.g. "goal_found", "max_moves", "error"
  std::string error;    // why it failed, "" if it did not
  int attempts = 0;     // attempts started (ExperimentUpdate with state running)
  bool archived = false;
  std::optional<ExperimentMetrics> metrics;  // once recorded
  std::string created_at;
  std::optional<std::string> started_at;   // first attempt
  std::optional<std::string> finished_at;  // entered a finished state
};

// A change to one experiment; unset fields keep their value. Entering `running` counts an
// attempt and sets started_at (first time only); entering a finished state sets finished_at.
struct ExperimentUpdate {
  std::int64_t id = 0;
  std::optional<ExperimentState> state;
  std::optional<std::string> outcome;  // <= 64 bytes
  std::optional<std::string> error;
  std::optional<ExperimentMetrics> metrics;
  // Deletes the experiment's recorded actions in the same transaction: a retried attempt
  // starts from step 1 again instead of mixing its actions with the failed attempt's.
  bool reset_actions = false;
};

// One recorded action. (experiment_id, step_number) is the key: appending a step that is
// already stored keeps the stored row, so a replayed batch never duplicates.
struct ExperimentAction {
  std::int64_t experiment_id = 0;
  std::int64_t step_number = 0;  // 1-based, increasing by one per action
  std::int64_t turn_number = 0;  // the model call that produced it
  std::string action_type;       // move_north, ..., recall_all, no_tool_call, invalid_tool_call
  std::string reasoning;         // the model's text for this turn ("" if none)
  int from_x = 0;
  int from_y = 0;
  int to_x = 0;  // == from for failed moves and recalls
  int to_y = 0;
  bool success = false;
  std::string tiles_seen_json = "[]";  // what the agent saw after the action (JSON)
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t cost_micros = 0;
  std::int64_t model_ms = 0;    // model latency of the turn (on the turn's first action)
  std::int64_t elapsed_ms = 0;  // since the attempt started

  bool operator==(const ExperimentAction&) const = default;
};

// A top-level model_config field equal to a JSON scalar: {"temperature", "0.2"}. Numbers
// compare by value (0.2 == 0.20), strings and booleans exactly.
struct ConfigMatch {
  std::string key;         // [A-Za-z0-9_-]{1,64}
  std::string value_json;  // a JSON string, number or boolean
};

// list_experiments: newest first (by id), keyset-paged with before_id. Empty fields match all.
struct ExperimentFilter {
  std::optional<std::int64_t> tenant_id;  // nullopt: all tenants (admin)
  std::optional<std::int64_t> job_id;     // a sweep's experiments
  std::string model;
  std::vector<ConfigMatch> config;  // all must match
  std::optional<ExperimentState> state;
  std::string outcome;
  std::string comment_contains;  // case-insensitive (ASCII) substring of the comment
  bool include_archived = false;
  std::optional<std::int64_t> before_id;
  int limit = 100;  // 1..1000
};

// compare_experiments: groups by model and/or top-level model_config fields.
struct ExperimentCompare {
  ExperimentFilter filter;  // before_id and limit are ignored
  bool by_model = true;
  std::vector<std::string> config_keys;  // each [A-Za-z0-9_-]{1,64}; at most 8
};

// One group. Sums run over the group's experiments that have metrics (`measured`), so means
// are sum / measured. Ordered by model, then the config values' JSON text.
struct ExperimentAggregate {
  std::string model;                       // "" unless by_model
  std::vector<std::string> config_values;  // JSON text per config key ("null" if absent)
  std::int64_t experiments = 0;            // all in the group, any state
  std::int64_t measured = 0;               // with metrics
  std::int64_t succeeded = 0;
  std::int64_t duration_ms = 0;
  std::int64_t turns = 0;
  std::int64_t actions = 0;
  std::int64_t moves = 0;
  std::int64_t optimal_moves = 0;  // over measured runs whose optimum is known
  std::int64_t with_optimal = 0;   // how many those are
  std::int64_t wall_collisions = 0;
  std::int64_t revisits = 0;
  std::int64_t loops = 0;
  std::int64_t invalid_tool_calls = 0;
  std::int64_t missing_tool_calls = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t cost_micros = 0;

  bool operator==(const ExperimentAggregate&) const = default;
};

}  // namespace osprey::store
