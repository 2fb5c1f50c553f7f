#include "router/router_metrics.h"

namespace osprey::router {

RouterMetrics::RouterMetrics(metrics::Registry& r)
    : requests(r.counter("osprey_upstream_requests_total",
                         "Upstream attempts by model, deployment and outcome",
                         {"model", "deployment", "outcome"})),
      errors(r.counter("osprey_upstream_errors_total", "Failed upstream attempts by error code",
                       {"model", "deployment", "code"})),
      duration(r.histogram("osprey_upstream_request_duration_seconds",
                           "Duration of upstream attempts (streams: until the end of the stream)",
                           {"model", "deployment"}, {})),
      ttft(r.histogram("osprey_upstream_time_to_first_token_seconds",
                       "Time from sending a streaming request to its first event",
                       {"model", "deployment"}, {})),
      tokens(r.counter("osprey_upstream_tokens_total", "Tokens reported by upstreams",
                       {"model", "deployment", "direction"})),
      retries(r.counter("osprey_router_retries_total", "Retries by model and reason",
                        {"model", "reason"})),
      fallbacks(r.counter("osprey_router_fallbacks_total",
                          "Requests moved from one model to its fallback", {"from", "to"})),
      panics(r.counter("osprey_router_panic_total",
                       "Requests routed to deployments that health checks marked unhealthy, "
                       "because all of the model's were and nothing else could be called",
                       {"model"})),
      circuit_state(r.gauge("osprey_deployment_circuit_state",
                            "Circuit breaker state: 0 closed, 1 half-open, 2 open",
                            {"deployment"})),
      healthy(r.gauge("osprey_deployment_healthy",
                      "1 when active health checks consider the deployment healthy",
                      {"deployment"})),
      outstanding(r.gauge("osprey_deployment_outstanding", "Requests in flight per deployment",
                          {"deployment"})) {}

double circuit_state_value(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return 0;
    case CircuitState::kHalfOpen:
      return 1;
    case CircuitState::kOpen:
      return 2;
  }
  return 0;
}

}  // namespace osprey::router
