#pragma once
// ExperimentsMetrics: Prometheus metrics of maze experiments, per model. Thread-safe.
//   osprey_experiments_started_total{model}            attempts started
//   osprey_experiments_succeeded_total{model}          runs that found the goal
//   osprey_experiments_failed_total{model,reason}      runs that ended without the goal (reason:
//                                                      the limit, e.g. max_moves) or could not
//                                                      run (reason: error, dead_letter)
//   osprey_experiments_cancelled_total{model}
//   osprey_experiment_duration_seconds{model}          wall time of completed runs
#include <string>

#include "core/metrics.h"

namespace osprey::experiments {

struct ExperimentsMetrics {
  explicit ExperimentsMetrics(metrics::Registry& registry);

  metrics::Family<metrics::Counter>& started;
  metrics::Family<metrics::Counter>& succeeded;
  metrics::Family<metrics::Counter>& failed;
  metrics::Family<metrics::Counter>& cancelled;
  metrics::Family<metrics::Histogram>& duration;
};

}  // namespace osprey::experiments
