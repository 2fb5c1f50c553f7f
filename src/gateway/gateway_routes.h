#pragma once
// The gateway's routes in one place: the OpenAI-compatible API (/v1/chat/completions,
// /v1/models) and the admin API (/admin/reload). The objects passed in must outlive the server
// that serves the routes.
#include "core/clock.h"
#include "gateway/admission/admission_control.h"
#include "gateway/cache/cache_stage.h"
#include "gateway/gateway_metrics.h"
#include "gateway/gateway_options.h"
#include "gateway/limits/limits_stage.h"
#include "gateway/router_reloader.h"
#include "net/router.h"
#include "net/worker_pool.h"
#include "router/model_router.h"

namespace osprey::gateway {

struct GatewayDeps {
  router::ModelRouter& router;
  RouterReloader& reloader;
  GatewayMetrics& metrics;
  net::WorkerPool& workers;
  const Clock& clock;
  GatewayOptions options;
  CacheStage* cache = nullptr;            // the response cache (off when null)
  AdmissionControl* admission = nullptr;  // per-model admission (off when null)
  const LimitsStage* limits = nullptr;    // rate limits, budgets, usage ledger (off when null)
};

void add_gateway_routes(net::Router& routes, const GatewayDeps& deps);

}  // namespace osprey::gateway
