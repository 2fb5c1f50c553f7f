#include "app/jobs_component.h"

#include <algorithm>

#include "app/app_context.h"
#include "batch/api/batch_routes.h"
#include "batch/batch_workload.h"
#include "batch/files_config.h"
#include "batch/native_config.h"
#include "experiments/experiment_routes.h"
#include "experiments/maze_workload.h"
#include "jobs/exec_workload.h"
#include "jobs/noop_workload.h"

namespace osprey::app {

Result<ServeRole> parse_serve_role(const std::string& text) {
  if (text == "all") return ServeRole::kAll;
  if (text == "api") return ServeRole::kApi;
  if (text == "worker") return ServeRole::kWorker;
  return make_error(ErrorCode::kInvalidRequest,
                    "--role must be all, api or worker (got \"" + text + "\")");
}

std::string_view role_name(ServeRole role) {
  switch (role) {
    case ServeRole::kAll:
      return "all";
    case ServeRole::kApi:
      return "api";
    case ServeRole::kWorker:
      return "worker";
  }
  return "all";
}

Result<std::unique_ptr<JobsComponent>> JobsComponent::create(AppContext& ctx, ServeRole role) {
  auto config = jobs::parse_jobs_config(ctx.config.sections, ctx.config.data_dir);
  if (!config) return config.error();
  auto experiments_config =
      experiments::parse_experiments_config(ctx.config.sections, ctx.config.data_dir);
  if (!experiments_config) return experiments_config.error();
  auto files = batch::parse_files_config(ctx.config.sections, ctx.config.data_dir);
  if (!files) return files.error();
  auto native = batch::parse_native_batch_config(ctx.config.sections);
  if (!native) return native.error();
  std::unique_ptr<JobsComponent> c(new JobsComponent());
  c->role_ = role;
  c->config_ = std::move(config.value());
  c->chat_caller_ = std::make_unique<RouterChatCaller>(
      RouterChatCallerDeps{.router = *ctx.router,
                           .limits = ctx.limits ? &ctx.limits->stage() : nullptr,
                           .store = *ctx.store,
                           .clock = system_clock()});
  c->workloads_.add(std::make_unique<jobs::NoopWorkload>(c->config_.max_items_per_job));
  c->workloads_.add(
      std::make_unique<jobs::ExecWorkload>(c->config_.exec_runners, c->config_.max_items_per_job));
  c->experiments_config_ = std::move(experiments_config.value());
  c->maze_library_ = std::make_unique<experiments::MazeLibrary>(c->experiments_config_.library_dir);
  c->live_feed_ = std::make_unique<experiments::LiveFeed>();
  c->experiments_metrics_ = std::make_unique<experiments::ExperimentsMetrics>(ctx.metrics);
  c->workloads_.add(std::make_unique<experiments::MazeWorkload>(
      experiments::MazeWorkloadDeps{.store = *ctx.store,
                                    .chat = *c->chat_caller_,
                                    .feed = *c->live_feed_,
                                    .metrics = *c->experiments_metrics_,
                                    .action_batch = c->experiments_config_.action_batch,
                                    .max_items = c->config_.max_items_per_job}));
  c->files_ = std::make_unique<batch::FileStore>(*ctx.store, files->dir, files->max_bytes);
  // Batch lines get the same body checks as POST /v1/chat/completions (schema, deny rules).
  batch::BodyCheck check_body;
  if (ctx.validator) {
    check_body = [validator = ctx.validator](const nlohmann::json& body) {
      return validator->check(gateway::validation::BodyKind::kChatCompletions, body);
    };
  }
  c->workloads_.add(std::make_unique<batch::BatchWorkload>(batch::BatchWorkloadDeps{
      .caller = *c->chat_caller_,
      .files = *c->files_,
      .store = *ctx.store,
      .check_body = std::move(check_body),
      .max_items = std::min(files->max_requests, c->config_.max_items_per_job)}));
  c->metrics_ = std::make_unique<jobs::JobsMetrics>(ctx.metrics);
  c->engine_ = std::make_unique<jobs::Engine>(*ctx.store, c->workloads_, c->config_, *c->metrics_);
  // New and cancelled jobs wake the native batch driver too (set below, before anything runs),
  // so a native job is submitted or cancelled at the provider now, not at the next poll.
  JobsComponent* self = c.get();
  c->service_ = std::make_unique<jobs::JobService>(
      *ctx.store, c->workloads_, c->config_, *c->metrics_,
      [self] {
        self->engine_->wake();
        if (self->native_driver_) self->native_driver_->wake();
      },
      [self](std::int64_t job_id) {
        self->engine_->finalize_soon(job_id);
        if (self->native_driver_) self->native_driver_->wake();
      });
  if (role != ServeRole::kApi && native->enabled) c->create_native_driver(ctx, *native);
  c->experiments_ = std::make_unique<experiments::ExperimentService>(
      *ctx.store, *c->service_, *c->maze_library_, c->experiments_config_, c->config_.max_attempts);
  return c;
}

void JobsComponent::create_native_driver(const AppContext& ctx,
                                         const batch::NativeBatchConfig& config) {
  batch::register_builtin_adapters(batch_adapters_);
  // A model's batches go to its first deployment, as configured at startup.
  std::map<std::string, providers::ProviderConfig, std::less<>> first_deployment;
  for (const router::ModelConfig& model : ctx.models.models) {
    if (!model.deployments.empty()) first_deployment[model.name] = model.deployments[0].provider;
  }
  jobs::Engine* engine = engine_.get();
  native_driver_ = std::make_unique<batch::NativeDriver>(
      batch::NativeDriverDeps{
          .store = *ctx.store,
          .workloads = workloads_,
          .adapters = batch_adapters_,
          .resolve_model = [first_deployment = std::move(first_deployment)](
                               std::string_view model) -> Result<providers::ProviderConfig> {
            auto it = first_deployment.find(model);
            if (it == first_deployment.end()) {
              return make_error(ErrorCode::kNotFound,
                                "model " + std::string(model) + " is not configured");
            }
            return it->second;
          },
          .codecs = {{std::string(batch::kBatchWorkload), &batch_codec_}},
          .on_new_work = [engine] { engine->wake(); },
          .on_drained = [engine](std::int64_t job_id) { engine->finalize_soon(job_id); }},
      config);
}

JobsComponent::~JobsComponent() { stop(); }

Status JobsComponent::start() {
  if (Status st = engine_->start(role_ != ServeRole::kApi); !st.ok()) return st;
  if (native_driver_) native_driver_->start();
  return {};
}

void JobsComponent::stop() {
  // The driver first: it hands items to the engine and asks it to finalize jobs.
  if (native_driver_) native_driver_->stop();
  if (engine_) engine_->stop();
}

void JobsComponent::request_stop() {
  if (engine_) engine_->request_stop();
}

void JobsComponent::add_routes(net::Router& router, jobs::Authenticated authenticated,
                               const Clock& clock, net::WorkerPool& workers) {
  if (role_ == ServeRole::kWorker) return;
  experiments::add_experiment_routes(router, {.service = *experiments_,
                                              .feed = *live_feed_,
                                              .workers = workers,
                                              .authenticated = authenticated,
                                              .events_poll = experiments_config_.events_poll});
  jobs::add_jobs_routes(
      router,
      {.service = *service_, .workers = workers, .authenticated = authenticated, .clock = clock});
  const batch::BatchApi batch_api{.service = *service_,
                                  .files = *files_,
                                  .workers = workers,
                                  .authenticated = std::move(authenticated)};
  batch::add_files_routes(router, batch_api);
  batch::add_batches_routes(router, batch_api);
}

}  // namespace osprey::app
