#include "experiments/maze_workload.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include "core/json_parse.h"
#include "core/log.h"
#include "experiments/store_action_sink.h"
#include "maze/agent_loop.h"

namespace osprey::experiments {
namespace {

using jobs::ItemResult;
using jobs::Outcome;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

Error invalid(const std::string& field, const std::string& message) {
  return make_error(ErrorCode::kInvalidRequest, "spec." + field + ": " + message);
}

int spec_int(const json& spec, const char* key, int fallback) {
  auto it = spec.find(key);
  return it != spec.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

store::ExperimentMetrics to_store_metrics(const maze::ExperimentMetrics& m) {
  store::ExperimentMetrics out;
  out.success = m.success;
  out.duration_ms = m.duration_ms;
  out.turns = m.turns;
  out.actions = m.actions;
  out.moves = m.successful_moves;
  out.optimal_moves = m.optimal_moves ? *m.optimal_moves : -1;
  out.wall_collisions = m.wall_collisions;
  out.revisits = m.revisits;
  out.loops = m.loop_cells;
  out.invalid_tool_calls = m.invalid_tool_calls;
  out.missing_tool_calls = m.no_tool_calls;
  out.tokens_in = m.input_tokens;
  out.tokens_out = m.output_tokens;
  out.cost_micros = std::llround(m.cost_usd * 1e6);
  out.extra_json = maze::metrics_json(m).dump();
  return out;
}

// Sleeps up to `d` in slices, returning early once `stop` says so.
void pause(std::chrono::milliseconds d, const std::function<bool()>& stop) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until && !stop()) {
    std::this_thread::sleep_for(
        std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(20)));
  }
}

}  // namespace

std::string experiment_item_key(std::int64_t experiment_id) {
  return "experiment-" + std::to_string(experiment_id);
}

Status MazeWorkload::validate(const json& spec) const {
  if (!spec.is_object()) return invalid("", "must be an object");
  auto ids = spec.find("experiment_ids");
  if (ids == spec.end() || !ids->is_array() || ids->empty()) {
    return invalid("experiment_ids", "must be a non-empty list");
  }
  if (ids->size() > d_.max_items) {
    return invalid("experiment_ids", "at most " + std::to_string(d_.max_items) + " experiments");
  }
  for (const json& id : *ids) {
    if (!id.is_number_integer() || id.get<std::int64_t>() <= 0) {
      return invalid("experiment_ids", "must hold positive integers");
    }
  }
  if (auto m = spec.find("model"); m != spec.end() && !m->is_string()) {
    return invalid("model", "must be a string");
  }
  const int attempts = spec_int(spec, "max_attempts", 1);
  if (attempts < 1 || attempts > 100) return invalid("max_attempts", "must be in [1, 100]");
  const int delay = spec_int(spec, "turn_delay_ms", 0);
  if (delay < 0 || delay > 10000) return invalid("turn_delay_ms", "must be in [0, 10000]");
  return {};
}

Result<std::vector<jobs::PlannedItem>> MazeWorkload::plan(const json& spec) const {
  std::vector<jobs::PlannedItem> items;
  for (const json& id : spec["experiment_ids"]) {
    const std::int64_t experiment_id = id.get<std::int64_t>();
    items.push_back({experiment_item_key(experiment_id), {{"experiment_id", experiment_id}}});
  }
  return items;
}

std::string MazeWorkload::resource_key(const json& spec) const {
  return spec.value("model", std::string());
}

ItemResult MazeWorkload::run(const jobs::WorkItem& item, const jobs::RunContext& ctx) const {
  const std::int64_t id = item.input.value("experiment_id", std::int64_t{0});
  auto found = d_.store.get_experiment(std::nullopt, id);
  if (!found) return jobs::item_failure(found.error());
  // The job's tenant must own the experiment: a hand-made /v1/jobs "maze" job cannot run (or
  // read) another tenant's experiment.
  if (!found.value() || found.value()->tenant_id != item.tenant_id) {
    return ItemResult::failure(Outcome::kPermanent, "experiment_not_found",
                               "no experiment " + std::to_string(id) + " for this tenant");
  }
  const store::Experiment exp = std::move(*found.value());
  if (store::is_finished(exp.state)) {
    // Cancelled before it ran, or already recorded by an attempt whose lease was lost.
    return ItemResult::success({{"experiment_id", id},
                                {"state", store::experiment_state_name(exp.state)},
                                {"outcome", exp.outcome}});
  }
  auto parsed_maze = maze::Maze::from_json(parse_json(exp.maze_json));
  auto config = maze::parse_experiment_config(parse_json(exp.model_config_json));
  if (!parsed_maze || !config) {
    const std::string message = !parsed_maze ? parsed_maze.error().message : config.error().message;
    (void)d_.store.update_experiment({.id = id,
                                      .state = store::ExperimentState::kFailed,
                                      .outcome = std::string("error"),
                                      .error = message});
    return ItemResult::failure(Outcome::kPermanent, "invalid_experiment", message);
  }
  const std::string& model = config->model;
  store::ExperimentUpdate start{.id = id, .state = store::ExperimentState::kRunning};
  start.reset_actions = true;  // a retry starts again from step 1
  if (auto st = d_.store.update_experiment(start); !st) return jobs::item_failure(st.error());
  d_.feed.begin(id);
  d_.metrics.started.with({model}).inc();

  // Stop conditions, checked between turns: the experiment was cancelled (polled from the store
  // at most once a second, so any API process's cancel reaches this worker), or shutdown.
  bool cancelled = false;
  auto last_poll = Clock::now();
  auto should_stop = [&]() {
    if (ctx.should_stop() || cancelled) return true;
    if (Clock::now() - last_poll >= std::chrono::seconds(1)) {
      last_poll = Clock::now();
      auto now = d_.store.get_experiment(std::nullopt, id);
      cancelled = now && now.value() && now.value()->state == store::ExperimentState::kCancelled;
    }
    return cancelled;
  };
  std::stop_source stop;
  StoreActionSink sink(d_.store, d_.feed, id, d_.action_batch, stop, should_stop);

  // A model call never outlives the run's max_duration (plus a grace for the last answer).
  const auto deadline = Clock::now() + config->limits.max_duration + std::chrono::seconds(30);
  const auto turn_delay = std::chrono::milliseconds(spec_int(*item.spec, "turn_delay_ms", 0));
  std::optional<providers::UpstreamError> upstream_error;
  int calls = 0;
  maze::ModelFn model_fn = [&](const providers::ChatRequest& request) -> Result<maze::ModelReply> {
    if (calls++ > 0 && turn_delay.count() > 0) pause(turn_delay, should_stop);
    jobs::ChatCall call;
    call.tenant_id = item.tenant_id;
    call.request = request;
    call.deadline = deadline;
    auto reply = d_.chat.call(call);
    if (!reply) {
      upstream_error = reply.error();
      return reply.error().to_error();
    }
    return maze::ModelReply{.response = std::move(reply->response),
                            .cost_usd = static_cast<double>(reply->cost_micros) / 1e6,
                            .latency_ms = reply->latency.count()};
  };
  maze::RunControl control;
  control.stop = stop.get_token();
  auto outcome = maze::run_experiment(config.value(), parsed_maze.value(),
                                      {exp.start_x, exp.start_y}, model_fn, sink, control);
  Status flushed = outcome ? sink.flush() : Status{};
  d_.feed.end(id);

  if (!outcome || !flushed.ok()) {
    const Error error = !outcome ? outcome.error() : flushed.error();
    ItemResult result =
        upstream_error ? jobs::item_failure(*upstream_error) : jobs::item_failure(error);
    const int max_attempts = spec_int(*item.spec, "max_attempts", 1);
    const bool last = result.outcome == Outcome::kPermanent ||
                      (result.outcome == Outcome::kRetryable && item.attempt >= max_attempts);
    store::ExperimentUpdate update{
        .id = id,
        .state = last ? store::ExperimentState::kFailed : store::ExperimentState::kQueued,
        .error = "attempt " + std::to_string(item.attempt) + ": " + error.message};
    if (last) {
      update.outcome = "error";
      d_.metrics.failed.with({model, "error"}).inc();
    }
    (void)d_.store.update_experiment(update);
    log::warn("experiment_attempt_failed", {{"experiment_id", id},
                                            {"attempt", item.attempt},
                                            {"final", last},
                                            {"error", error.message}});
    return result;
  }

  const maze::ExperimentMetrics& m = outcome->metrics;
  if (m.end_reason == "cancelled" && !cancelled) {
    // Cut short by shutdown: back to the queue; the next attempt starts over.
    (void)d_.store.update_experiment({.id = id, .state = store::ExperimentState::kQueued});
    ItemResult r = ItemResult::failure(Outcome::kRateLimited, "interrupted", "worker stopping");
    r.retry_after = std::chrono::milliseconds(0);
    return r;
  }
  store::ExperimentUpdate done{
      .id = id,
      .state = cancelled ? store::ExperimentState::kCancelled : store::ExperimentState::kCompleted,
      .outcome = m.end_reason,
      .metrics = to_store_metrics(m)};
  auto stored = d_.store.update_experiment(done);
  if (!stored) return jobs::item_failure(stored.error());
  if (cancelled) {
    d_.metrics.cancelled.with({model}).inc();
  } else {
    if (m.success) {
      d_.metrics.succeeded.with({model}).inc();
    } else {
      d_.metrics.failed.with({model, m.end_reason}).inc();
    }
    d_.metrics.duration.with({model}).observe(static_cast<double>(m.duration_ms) / 1000.0);
  }
  return ItemResult::success({{"experiment_id", id},
                              {"state", store::experiment_state_name(stored->state)},
                              {"outcome", m.end_reason},
                              {"metrics", maze::metrics_json(m)}},
                             std::llround(m.cost_usd * 1e6));
}

json MazeWorkload::finalize(const jobs::JobOutcome& job) const {
  // Experiments the job left unfinished: dead letters (also after a crash mid-run) fail, and
  // items that never ran because the job was cancelled are cancelled.
  store::ExperimentFilter filter;
  filter.job_id = job.job_id;
  filter.include_archived = true;
  filter.limit = 1000;
  std::int64_t failed = 0, cancelled = 0;
  for (;;) {
    auto page = d_.store.list_experiments(filter);
    if (!page || page->empty()) break;
    for (const store::Experiment& e : page.value()) {
      if (store::is_finished(e.state)) continue;
      const bool never_ran = e.state == store::ExperimentState::kQueued && job.cancelled > 0;
      store::ExperimentUpdate update{.id = e.id};
      if (never_ran) {
        update.state = store::ExperimentState::kCancelled;
        update.outcome = "cancelled";
        ++cancelled;
      } else {
        update.state = store::ExperimentState::kFailed;
        update.outcome = "error";
        update.error =
            e.error.empty() ? "dead letter: the job item ended without a result" : e.error;
        d_.metrics.failed.with({e.model, "dead_letter"}).inc();
        ++failed;
      }
      (void)d_.store.update_experiment(update);
    }
    if (static_cast<int>(page->size()) < filter.limit) break;
    filter.before_id = page->back().id;
  }
  return {{"experiments_failed_at_finalize", failed},
          {"experiments_cancelled_at_finalize", cancelled}};
}

}  // namespace osprey::experiments
