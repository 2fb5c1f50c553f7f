#include "experiments/experiments_metrics.h"

namespace osprey::experiments {

ExperimentsMetrics::ExperimentsMetrics(metrics::Registry& r)
    : started(r.counter("osprey_experiments_started_total",
                        "Maze experiment attempts started by this process.", {"model"})),
      succeeded(r.counter("osprey_experiments_succeeded_total",
                          "Maze experiments that found the goal.", {"model"})),
      failed(r.counter("osprey_experiments_failed_total",
                       "Maze experiments that ended without the goal (reason: the limit that "
                       "stopped them) or could not run (reason: error, dead_letter).",
                       {"model", "reason"})),
      cancelled(r.counter("osprey_experiments_cancelled_total", "Maze experiments cancelled.",
                          {"model"})),
      duration(r.histogram("osprey_experiment_duration_seconds",
                           "Wall time of completed maze experiments.", {"model"},
                           {0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200})) {}

}  // namespace osprey::experiments
