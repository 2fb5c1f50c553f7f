#pragma once
// POST /v1/chat/completions: validates the body (gateway/validation: JSON Schema and deny
// rules), parses the OpenAI body (providers/openai), asks the ModelRouter for
// an answer and writes it back as OpenAI JSON or as an SSE stream of chunks. Translation lives
// in providers/, routing policy in router/; this handler only does the I/O between them.
// Every answer carries `x-osprey-deployment` (the deployment that answered) and, when a
// fallback model answered, `x-osprey-model`. A model outside the key's allowed_models is 403
// forbidden ("model_not_allowed: ..."). Thread-safe: shares only the router and metrics.
#include "core/clock.h"
#include "gateway/admission/admission_control.h"
#include "gateway/cache/cache_stage.h"
#include "gateway/gateway_metrics.h"
#include "gateway/gateway_options.h"
#include "gateway/limits/limits_stage.h"
#include "gateway/principal.h"
#include "gateway/validation/request_validator.h"
#include "net/request.h"
#include "net/response.h"
#include "net/task.h"
#include "router/model_router.h"

namespace osprey::gateway {

// Optional pipeline stages the route calls; null = the stage is off. Owned by the caller and
// outliving the route.
struct ChatStages {
  const validation::RequestValidator* validator = nullptr;  // body schema + deny rules
  CacheStage* cache = nullptr;
  AdmissionControl* admission = nullptr;
  const LimitsStage* limits = nullptr;  // rate limits, budget, usage ledger
};

class ChatCompletionsRoute {
 public:
  ChatCompletionsRoute(router::ModelRouter& router, GatewayMetrics& metrics, const Clock& clock,
                       GatewayOptions options, ChatStages stages = {});

  // `principal`: the authenticated caller (gateway/auth); its plan decides the allowed models.
  net::Task<net::Response> handle(net::Request& request, const Principal& principal) const;

 private:
  // The pipeline after authentication and validation; `account` is null without a limits stage.
  net::Task<net::Response> respond(net::Request& request, const Principal& principal,
                                   Result<providers::ChatRequest> parsed,
                                   std::shared_ptr<RequestAccount> account) const;

  router::ModelRouter& router_;
  GatewayMetrics& metrics_;
  const Clock& clock_;
  GatewayOptions options_;
  ChatStages stages_;
};

}  // namespace osprey::gateway
