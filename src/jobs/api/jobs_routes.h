#pragma once
// The /v1/jobs API (docs/jobs.md), tenant-scoped through the Principal that the auth stage hands
// to each handler:
//   POST /v1/jobs                      submit (Idempotency-Key honoured)
//   GET  /v1/jobs                      list (?state=&workload=&tag=key=value&limit=&before=)
//   GET  /v1/jobs/{id}                 state, counts, percent, ETA, cost
//   POST /v1/jobs/{id}/cancel
//   GET  /v1/jobs/{id}/results         JSONL, once _SUCCESS is written
//   GET  /v1/jobs/{id}/dead-letters    (?after=&limit=)
//   POST /v1/jobs/{id}/redrive
//   GET  /v1/jobs/{id}/events          SSE progress until the job finishes
// Handlers only translate HTTP; the work is JobService's, on the worker pool.
#include <functional>

#include "core/clock.h"
#include "gateway/principal.h"
#include "jobs/job_service.h"
#include "net/router.h"
#include "net/worker_pool.h"

namespace osprey::jobs {

using PrincipalHandler =
    std::function<net::Task<net::Response>(net::Request&, const gateway::Principal&)>;
// Wraps a handler with authentication: the returned handler answers 401/403 itself or calls
// the wrapped one with the caller's Principal.
using Authenticated = std::function<net::Handler(PrincipalHandler)>;

struct JobsApi {
  JobService& service;
  net::WorkerPool& workers;
  Authenticated authenticated;
  const Clock& clock;
  std::chrono::milliseconds events_interval{500};  // SSE progress poll
};

void add_jobs_routes(net::Router& router, const JobsApi& api);

}  // namespace osprey::jobs
