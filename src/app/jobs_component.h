#pragma once
// JobsComponent: the job system of one `osprey serve` process — workloads, engine, service and
// the /v1/jobs routes — built from the `jobs` and `workloads` config sections. The role decides
// what runs: all (API + workers), api (API, no item workers), worker (workers, no jobs API).
#include <memory>
#include <string>

#include "app/router_chat_caller.h"
#include "batch/batch_adapter_registry.h"
#include "batch/batch_native_codec.h"
#include "batch/file_store.h"
#include "batch/native_driver.h"
#include "core/result.h"
#include "experiments/experiment_service.h"
#include "experiments/experiments_config.h"
#include "experiments/experiments_metrics.h"
#include "experiments/live_feed.h"
#include "experiments/maze_library.h"
#include "jobs/api/jobs_routes.h"
#include "jobs/engine.h"
#include "jobs/job_service.h"
#include "jobs/jobs_config.h"
#include "jobs/workload_registry.h"

namespace osprey::app {

struct AppContext;

enum class ServeRole { kAll, kApi, kWorker };
Result<ServeRole> parse_serve_role(const std::string& text);
std::string_view role_name(ServeRole role);

class JobsComponent {
 public:
  // Parses the configuration and registers the built-in workloads. Fails with the config error.
  // REQUIRES: ctx.router and ctx.limits are built (workloads that call models get the chat
  // caller, which charges through the limits stage).
  static Result<std::unique_ptr<JobsComponent>> create(AppContext& ctx, ServeRole role);
  ~JobsComponent();

  // Starts the engine threads (claiming only for roles all and worker) and, in those roles, the
  // native batch driver (unless batch.native.enabled is false).
  Status start();
  // Stops the native batch driver, stops claiming, lets running items finish and settle, joins
  // the threads.
  void stop();
  // Non-blocking: no new claims from now on (first shutdown signal).
  void request_stop();
  // Adds the /v1/jobs, /v1/experiments, /v1/mazes, /v1/files and /v1/batches routes behind
  // `authenticated` (not for role worker).
  void add_routes(net::Router& router, jobs::Authenticated authenticated, const Clock& clock,
                  net::WorkerPool& workers);

  // Where workloads' model calls run: attach before start() (net::Server::spawn); close once
  // the server has stopped running, before stop(), so calls still waiting end.
  void attach_calls(TaskSpawner spawner) { chat_caller_->attach(std::move(spawner)); }
  void close_calls() { chat_caller_->close(); }
  const jobs::ChatCaller& chat_caller() const { return *chat_caller_; }

  ServeRole role() const { return role_; }

 private:
  JobsComponent() = default;
  void create_native_driver(const AppContext& ctx, const batch::NativeBatchConfig& config);
  ServeRole role_ = ServeRole::kAll;
  jobs::JobsConfig config_;
  std::unique_ptr<RouterChatCaller> chat_caller_;
  std::unique_ptr<batch::FileStore> files_;  // uploaded and generated files (Files API)
  jobs::WorkloadRegistry workloads_;
  std::unique_ptr<jobs::JobsMetrics> metrics_;
  std::unique_ptr<jobs::Engine> engine_;
  std::unique_ptr<jobs::JobService> service_;
  // `batch` jobs in mode native and auto: run through the vendors' batch APIs by the driver
  // (config batch.native; null for role api or when disabled).
  batch::BatchAdapterRegistry batch_adapters_;
  batch::BatchNativeCodec batch_codec_;
  std::unique_ptr<batch::NativeDriver> native_driver_;
  // Maze experiments (the `maze` workload and their API; config section `experiments`).
  experiments::ExperimentsConfig experiments_config_;
  std::unique_ptr<experiments::MazeLibrary> maze_library_;
  std::unique_ptr<experiments::LiveFeed> live_feed_;
  std::unique_ptr<experiments::ExperimentsMetrics> experiments_metrics_;
  std::unique_ptr<experiments::ExperimentService> experiments_;
};

}  // namespace osprey::app
