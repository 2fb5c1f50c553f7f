#pragma once
// run_experiment: the agent loop. Each turn builds the prompt (prompt_template.h), asks the model
// through `model` (the router in production, a script in tests), executes the tool calls of the
// answer in order (at most max_actions_per_turn), hands the turn's actions to the sink and checks
// the limits after every action, so a run never overshoots one. Deterministic given the config,
// the maze, the start and the model's answers. Blocking: run it on a worker thread.
#include <cstdint>
#include <functional>
#include <stop_token>

#include "core/clock.h"
#include "core/result.h"
#include "maze/action_record.h"
#include "maze/experiment_config.h"
#include "maze/experiment_metrics.h"
#include "maze/maze.h"
#include "providers/chat_types.h"

namespace osprey::maze {

// A model's answer plus what it cost. Timings are the caller's measure of the call.
struct ModelReply {
  providers::ChatResponse response;
  double cost_usd = 0;
  std::int64_t latency_ms = 0;
};

// Blocking model call. An error (upstream failure after the router's retries) ends the run with
// that error: the job engine retries or dead-letters the experiment.
using ModelFn = std::function<Result<ModelReply>(const providers::ChatRequest&)>;

struct RunControl {
  const Clock* clock = &system_clock();
  std::stop_token stop;  // a stop request ends the run as "cancelled" after the current action
};

struct RunOutcome {
  ExperimentMetrics metrics;  // end_reason says why the run ended
  Position final_position;
};

// REQUIRES: `start` is an open cell (see resolve_start); config valid (parse_experiment_config).
Result<RunOutcome> run_experiment(const ExperimentConfig& config, const Maze& maze, Position start,
                                  const ModelFn& model, ActionSink& sink,
                                  const RunControl& control = {});

}  // namespace osprey::maze
