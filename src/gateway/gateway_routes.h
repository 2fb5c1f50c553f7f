#pragma once
// The gateway's routes in one place: the OpenAI-compatible API (/v1/chat/completions,
// /v1/models) for any valid key and the admin API (/admin/*) for admin keys; every one of them
// goes through the Authenticator first (gateway/auth). The objects passed in must outlive the
// server that serves the routes.
#include <memory>

#include "core/clock.h"
#include "gateway/admission/admission_control.h"
#include "gateway/audit/audit_queue.h"
#include "gateway/auth/authenticator.h"
#include "gateway/auth/key_cache.h"
#include "gateway/cache/cache_stage.h"
#include "gateway/gateway_metrics.h"
#include "gateway/gateway_options.h"
#include "gateway/limits/limits_stage.h"
#include "gateway/router_reloader.h"
#include "gateway/validation/request_validator.h"
#include "net/router.h"
#include "net/worker_pool.h"
#include "router/model_router.h"
#include "store/store.h"

namespace osprey::gateway {

struct GatewayDeps {
  router::ModelRouter& router;
  RouterReloader& reloader;
  GatewayMetrics& metrics;
  net::WorkerPool& workers;
  const Clock& clock;
  std::shared_ptr<const Authenticator> auth;
  store::Store& store;  // tenancy admin API and /v1/usage
  KeyCache& keys;       // refreshed after admin changes so they hold on this node at once
  GatewayOptions options;
  const validation::RequestValidator* validator = nullptr;  // body checks (off when null)
  CacheStage* cache = nullptr;                              // the response cache (off when null)
  AdmissionControl* admission = nullptr;                    // per-model admission (off when null)
  const LimitsStage* limits = nullptr;  // rate limits, budgets, usage ledger (off when null)
  AuditQueue* audit = nullptr;          // admin actions without their own audit entry
};

void add_gateway_routes(net::Router& routes, const GatewayDeps& deps);

}  // namespace osprey::gateway
