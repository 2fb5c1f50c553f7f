#pragma once
// The /v1/experiments and /v1/mazes API (docs/maze.md), tenant-scoped through the Principal the
// auth stage hands to each handler; errors in the one OpenAI-style shape:
//   POST /v1/experiments                 create (single or sweep form); 201 {"data": [...]}
//   GET  /v1/experiments                 list (?model=&state=&outcome=&comment=&job_id=
//                                        &model_config.<key>=<value>&limit=&before=)
//   GET  /v1/experiments/compare         metrics table (?group_by=model,model_config.<key>...
//                                        plus the list filters)
//   GET  /v1/experiments/{id}            the experiment, its maze and all its actions
//   POST /v1/experiments/{id}/cancel
//   POST /v1/experiments/{id}/replay     a new experiment with the recorded config and seed
//   GET  /v1/experiments/{id}/events     SSE: `action` (id = step; resumable with
//                                        Last-Event-ID), `state`, `reset`, then `done`
//   GET  /v1/mazes                       the maze library and the generator kinds
// Handlers only translate HTTP; the work is ExperimentService's, on the worker pool.
#include <chrono>

#include "experiments/experiment_service.h"
#include "experiments/live_feed.h"
#include "jobs/api/jobs_routes.h"
#include "net/router.h"
#include "net/worker_pool.h"

namespace osprey::experiments {

struct ExperimentsApi {
  ExperimentService& service;
  LiveFeed& feed;
  net::WorkerPool& workers;
  jobs::Authenticated authenticated;
  std::chrono::milliseconds events_poll{200};
};

void add_experiment_routes(net::Router& router, const ExperimentsApi& api);

}  // namespace osprey::experiments
