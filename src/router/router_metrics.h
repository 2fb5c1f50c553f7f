#pragma once
// RouterMetrics: the router's metric families, registered once per router. The families (and
// the children a Deployment caches) live as long as the registry.
// Thread-safety: metrics are thread-safe; this struct is immutable after construction.
#include "core/circuit_breaker.h"
#include "core/metrics.h"

namespace osprey::router {

struct RouterMetrics {
  explicit RouterMetrics(metrics::Registry& registry);

  metrics::Family<metrics::Counter>& requests;     // {model, deployment, outcome}
  metrics::Family<metrics::Counter>& errors;       // {model, deployment, code}
  metrics::Family<metrics::Histogram>& duration;   // {model, deployment}
  metrics::Family<metrics::Histogram>& ttft;       // {model, deployment}
  metrics::Family<metrics::Counter>& tokens;       // {model, deployment, direction}
  metrics::Family<metrics::Counter>& retries;      // {model, reason}
  metrics::Family<metrics::Counter>& fallbacks;    // {from, to}
  metrics::Family<metrics::Counter>& panics;       // {model}
  metrics::Family<metrics::Gauge>& circuit_state;  // {deployment}
  metrics::Family<metrics::Gauge>& healthy;        // {deployment}
  metrics::Family<metrics::Gauge>& outstanding;    // {deployment}
};

// The gauge value of a breaker state: 0 closed, 1 half-open, 2 open.
double circuit_state_value(CircuitState state);

}  // namespace osprey::router
