#include "jobs/jobs_metrics.h"

namespace osprey::jobs {

JobsMetrics::JobsMetrics(metrics::Registry& r)
    : jobs(r.gauge("osprey_jobs", "Jobs not finished, by state (store-wide).", {"state"})),
      submitted(
          r.counter("osprey_jobs_submitted_total", "Jobs created through the API.", {"workload"})),
      finished(r.counter("osprey_jobs_finished_total", "Jobs finalized by this process.",
                         {"workload", "state"})),
      items(r.counter("osprey_job_items_total",
                      "Item attempts settled by this process, by outcome (done, retry, deferred, "
                      "dead, lost).",
                      {"workload", "outcome"})),
      queue_depth(r.gauge("osprey_job_queue_depth", "Ready items by job priority (store-wide).",
                          {"priority"})),
      queue_age(r.gauge("osprey_job_queue_oldest_age_seconds",
                        "Age of the oldest ready item by job priority (store-wide).",
                        {"priority"})),
      lease_expirations(r.counter("osprey_job_lease_expirations_total",
                                  "Item leases that expired and were reclaimed by this process.")
                            .with()),
      resource_in_use(r.gauge("osprey_job_resource_in_use",
                              "Items of each resource claimed by this process and not settled.",
                              {"resource"})),
      in_flight(r.gauge("osprey_job_items_in_flight",
                        "Items claimed by this process and not yet settled.")
                    .with()),
      finalize_paused(
          r.gauge("osprey_job_finalize_paused", "Jobs whose results wait for free disk space.")
              .with()) {}

}  // namespace osprey::jobs
