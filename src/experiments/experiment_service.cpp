#include "experiments/experiment_service.h"

#include <map>
#include <random>

#include "core/json_parse.h"
#include "experiments/experiment_request.h"
#include "experiments/maze_workload.h"

namespace osprey::experiments {
namespace {

using nlohmann::json;

Error not_found(std::int64_t id) {
  return make_error(ErrorCode::kNotFound, "no experiment " + std::to_string(id));
}

std::string model_of(const store::NewExperiment& e) {
  json config = parse_json(e.model_config_json);
  return config.is_object() ? config.value("model", std::string()) : std::string();
}

}  // namespace

Result<std::vector<store::Experiment>> ExperimentService::create(const gateway::Principal& who,
                                                                 std::string_view body) {
  json parsed = parse_json(body);
  if (parsed.is_discarded()) {
    return make_error(ErrorCode::kInvalidRequest, "body: " + json_refusal(body));
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t seed = rng() >> 16;  // fits a signed 64-bit store column with room
  auto batch = parse_experiment_request(parsed, library_, config_.max_per_request, seed);
  if (!batch) return batch.error();
  return create_and_submit(who, std::move(batch->experiments), batch->priority,
                           batch->max_attempts.value_or(default_max_attempts_),
                           batch->turn_delay_ms);
}

Result<std::vector<store::Experiment>> ExperimentService::create_and_submit(
    const gateway::Principal& who, std::vector<store::NewExperiment> experiments,
    const std::string& priority, int max_attempts, int turn_delay_ms) {
  for (store::NewExperiment& e : experiments) e.tenant_id = who.tenant_id;
  auto ids = store_.create_experiments(experiments);
  if (!ids) return ids.error();
  std::map<std::string, std::vector<std::int64_t>> by_model;
  for (std::size_t i = 0; i < experiments.size(); ++i) {
    by_model[model_of(experiments[i])].push_back(ids.value()[i]);
  }
  std::vector<std::int64_t> unsubmitted = ids.value();
  for (const auto& [model, group] : by_model) {
    json request = {{"workload", "maze"},
                    {"spec",
                     {{"experiment_ids", group},
                      {"model", model},
                      {"max_attempts", max_attempts},
                      {"turn_delay_ms", turn_delay_ms}}},
                    {"max_attempts", max_attempts},
                    {"tags", {{"kind", "maze_experiments"}, {"model", model}}}};
    if (!priority.empty()) request["priority"] = priority;
    auto submitted = jobs_.submit(who, request.dump(), "");
    if (!submitted) {
      for (std::int64_t id : unsubmitted) (void)store_.delete_experiment(who.tenant_id, id);
      return submitted.error();
    }
    for (std::int64_t id : group) {
      if (Status st = store_.set_experiment_job(id, submitted->job.id, experiment_item_key(id));
          !st.ok()) {
        return st.error();
      }
      std::erase(unsubmitted, id);
    }
  }
  std::vector<store::Experiment> out;
  for (std::int64_t id : ids.value()) {
    auto e = get_experiment(who, id);
    if (!e) return e.error();
    out.push_back(std::move(e.value()));
  }
  return out;
}

Result<std::vector<store::Experiment>> ExperimentService::list(const gateway::Principal& who,
                                                               store::ExperimentFilter filter) {
  filter.tenant_id = who.tenant_id;
  return store_.list_experiments(filter);
}

Result<store::Experiment> ExperimentService::get_experiment(const gateway::Principal& who,
                                                            std::int64_t id) {
  auto e = store_.get_experiment(who.tenant_id, id);
  if (!e) return e.error();
  if (!e.value()) return not_found(id);
  return std::move(*e.value());
}

Result<ExperimentWithActions> ExperimentService::get(const gateway::Principal& who, std::int64_t id,
                                                     bool with_actions) {
  auto e = get_experiment(who, id);
  if (!e) return e.error();
  ExperimentWithActions out{std::move(e.value()), {}};
  std::int64_t after = 0;
  while (with_actions) {  // pages of the store's maximum until the run's end
    auto page = store_.list_actions(who.tenant_id, id, after, 100000);
    if (!page) return page.error();
    if (page->empty()) break;
    after = page->back().step_number;
    const bool more = page->size() == 100000;
    out.actions.insert(out.actions.end(), std::make_move_iterator(page->begin()),
                       std::make_move_iterator(page->end()));
    if (!more) break;
  }
  return out;
}

Result<std::vector<store::ExperimentAction>> ExperimentService::actions(
    const gateway::Principal& who, std::int64_t id, std::int64_t after_step, int limit) {
  return store_.list_actions(who.tenant_id, id, after_step, limit);
}

Result<store::Experiment> ExperimentService::cancel(const gateway::Principal& who,
                                                    std::int64_t id) {
  auto e = get_experiment(who, id);
  if (!e) return e.error();
  if (store::is_finished(e->state)) return e;
  auto cancelled = store_.update_experiment(
      {.id = id, .state = store::ExperimentState::kCancelled, .outcome = std::string("cancelled")});
  if (!cancelled) return cancelled.error();
  if (e->job_id) {
    store::ExperimentFilter filter;
    filter.tenant_id = who.tenant_id;
    filter.job_id = *e->job_id;
    filter.include_archived = true;
    filter.limit = 1000;
    auto siblings = store_.list_experiments(filter);
    const bool all_done =
        siblings && siblings->size() < 1000 &&
        std::all_of(siblings->begin(), siblings->end(),
                    [](const store::Experiment& s) { return store::is_finished(s.state); });
    if (all_done) (void)jobs_.cancel(who, *e->job_id);
  }
  return cancelled;
}

Result<store::Experiment> ExperimentService::replay(const gateway::Principal& who,
                                                    std::int64_t id) {
  auto e = get_experiment(who, id);
  if (!e) return e.error();
  store::NewExperiment copy;
  copy.maze_ref = e->maze_ref;
  copy.maze_json = e->maze_json;
  copy.start_x = e->start_x;
  copy.start_y = e->start_y;
  copy.agent = e->agent;
  copy.model_config_json = e->model_config_json;
  copy.comment = "replay of experiment " + std::to_string(id) +
                 (e->comment.empty() ? std::string() : ": " + e->comment);
  if (copy.comment.size() > 4000) copy.comment.resize(4000);
  copy.seed = e->seed;
  std::vector<store::NewExperiment> one;
  one.push_back(std::move(copy));
  auto created = create_and_submit(who, std::move(one), "", default_max_attempts_, 0);
  if (!created) return created.error();
  return std::move(created->front());
}

Result<std::vector<store::ExperimentAggregate>> ExperimentService::compare(
    const gateway::Principal& who, store::ExperimentCompare compare) {
  compare.filter.tenant_id = who.tenant_id;
  return store_.compare_experiments(compare);
}

}  // namespace osprey::experiments
