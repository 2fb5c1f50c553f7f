#pragma once
// JobsMetrics: the job engine's Prometheus metrics, registered once per process. Thread-safe.
//   osprey_jobs{state}                              jobs queued / running (store-wide)
//   osprey_jobs_submitted_total{workload}
//   osprey_jobs_finished_total{workload,state}
//   osprey_job_items_total{workload,outcome}        done / retry / deferred / dead per attempt
//   osprey_job_queue_depth{priority}                ready items (store-wide)
//   osprey_job_queue_oldest_age_seconds{priority}
//   osprey_job_lease_expirations_total
//   osprey_job_resource_in_use{resource}            items running here per resource
//   osprey_job_items_in_flight                      items claimed here and not yet settled
//   osprey_job_finalize_paused                      jobs waiting for disk space
#include <string>
#include <string_view>

#include "core/metrics.h"

namespace osprey::jobs {

struct JobsMetrics {
  explicit JobsMetrics(metrics::Registry& registry);

  metrics::Family<metrics::Gauge>& jobs;
  metrics::Family<metrics::Counter>& submitted;
  metrics::Family<metrics::Counter>& finished;
  metrics::Family<metrics::Counter>& items;
  metrics::Family<metrics::Gauge>& queue_depth;
  metrics::Family<metrics::Gauge>& queue_age;
  metrics::Counter& lease_expirations;
  metrics::Family<metrics::Gauge>& resource_in_use;
  metrics::Gauge& in_flight;
  metrics::Gauge& finalize_paused;
};

}  // namespace osprey::jobs
