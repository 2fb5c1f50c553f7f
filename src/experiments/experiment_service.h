#pragma once
// ExperimentService: what the /v1/experiments API does, as blocking calls scoped to the calling
// tenant (run them on the worker pool): create experiments and the jobs that run them, list and
// compare them, read one with its actions, cancel and replay. Another tenant's experiment reads
// as kNotFound. Thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiments/experiments_config.h"
#include "experiments/maze_library.h"
#include "gateway/principal.h"
#include "jobs/job_service.h"
#include "store/store.h"

namespace osprey::experiments {

struct ExperimentWithActions {
  store::Experiment experiment;
  std::vector<store::ExperimentAction> actions;
};

class ExperimentService {
 public:
  ExperimentService(store::Store& store, jobs::JobService& jobs, const MazeLibrary& library,
                    const ExperimentsConfig& config, int default_max_attempts)
      : store_(store),
        jobs_(jobs),
        library_(library),
        config_(config),
        default_max_attempts_(default_max_attempts) {}

  // POST /v1/experiments: the experiments (one per maze × config × repetition) linked to the
  // jobs that run them — one job per model, so jobs.resources.<model> limits each model.
  Result<std::vector<store::Experiment>> create(const gateway::Principal& who,
                                                std::string_view body);
  Result<std::vector<store::Experiment>> list(const gateway::Principal& who,
                                              store::ExperimentFilter filter);
  // With all its actions unless `with_actions` is false.
  Result<ExperimentWithActions> get(const gateway::Principal& who, std::int64_t id,
                                    bool with_actions = true);
  Result<store::Experiment> get_experiment(const gateway::Principal& who, std::int64_t id);
  // Actions with step > after_step (live viewing).
  Result<std::vector<store::ExperimentAction>> actions(const gateway::Principal& who,
                                                       std::int64_t id, std::int64_t after_step,
                                                       int limit);
  // A running experiment stops after its current action; a queued one never starts. The job is
  // cancelled too once none of its experiments is left to run. Cancelling a finished experiment
  // changes nothing.
  Result<store::Experiment> cancel(const gateway::Principal& who, std::int64_t id);
  // A new experiment with the recorded maze, start, agent and model_config (seed included).
  Result<store::Experiment> replay(const gateway::Principal& who, std::int64_t id);
  Result<std::vector<store::ExperimentAggregate>> compare(const gateway::Principal& who,
                                                          store::ExperimentCompare compare);
  std::vector<MazeEntry> mazes() const { return library_.list(); }

 private:
  // Creates the experiments, then one job per model, and links them; a failed submission deletes
  // the experiments it would have run.
  Result<std::vector<store::Experiment>> create_and_submit(
      const gateway::Principal& who, std::vector<store::NewExperiment> experiments,
      const std::string& priority, int max_attempts, int turn_delay_ms);

  store::Store& store_;
  jobs::JobService& jobs_;
  const MazeLibrary& library_;
  const ExperimentsConfig& config_;
  const int default_max_attempts_;
};

}  // namespace osprey::experiments
