#pragma once
// AppContext: what the built-in routes share for the life of one `osprey serve` process.
// Built once by the serve command before the server starts; its members are thread-safe.
#include <atomic>
#include <memory>

#include "app/jobs_component.h"
#include "core/config.h"
#include "core/metrics.h"
#include "gateway/admission/admission_control.h"
#include "gateway/audit/audit_queue.h"
#include "gateway/auth/authenticator.h"
#include "gateway/auth/key_cache.h"
#include "gateway/cache/cache_metrics.h"
#include "gateway/cache/cache_stage.h"
#include "gateway/gateway_metrics.h"
#include "gateway/limits/limits_runtime.h"
#include "gateway/router_reloader.h"
#include "gateway/validation/request_validator.h"
#include "net/http_client.h"
#include "net/worker_pool.h"
#include "providers/provider_registry.h"
#include "router/model_router.h"
#include "router/router_config.h"
#include "store/store.h"

namespace osprey::app {

struct AppContext {
  Config config;
  metrics::Registry metrics;
  std::unique_ptr<net::WorkerPool> workers;  // blocking work: store calls, disk, CPU engines
  std::unique_ptr<store::Store> store;
  // Outbound side. The client and the router hold sockets of the server's io_context, so the
  // serve command resets them before the server is destroyed.
  std::unique_ptr<net::HttpClient> http_client;
  providers::ProviderRegistry providers;  // filled once before the router is built
  std::unique_ptr<router::ModelRouter> router;
  // The model table as loaded at startup: the native batch driver sends a model's batches to its
  // first deployment (SIGHUP reloads the router, not this).
  router::RouterConfig models;
  std::unique_ptr<gateway::RouterReloader> reloader;  // SIGHUP and POST /admin/reload
  std::unique_ptr<gateway::GatewayMetrics> gateway_metrics;
  std::unique_ptr<JobsComponent> jobs;  // job engine, service and /v1/jobs routes
  // Response cache and per-model admission (config sections `cache` and `admission`).
  std::unique_ptr<gateway::CacheMetrics> cache_metrics;
  std::unique_ptr<gateway::CacheStage> cache;
  std::unique_ptr<gateway::AdmissionControl> admission;
  // Rate limits, budgets and the usage-ledger writer; stopped (ledger flushed) after the drain.
  std::unique_ptr<gateway::LimitsRuntime> limits;
  std::shared_ptr<const gateway::validation::RequestValidator> validator;  // /v1 body checks
  // Authentication: key cache (polls the store's key changes), the audit writer and the stage
  // in front of every /v1 and /admin route. Stopped before the store closes.
  std::unique_ptr<gateway::KeyCache> key_cache;
  std::unique_ptr<gateway::AuditQueue> audit;
  std::shared_ptr<const gateway::Authenticator> authenticator;
  std::atomic<bool> draining{false};  // set on the first shutdown signal; /readyz turns 503
};

}  // namespace osprey::app
