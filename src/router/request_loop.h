#pragma once
// The request loop: serves one routed request. For the requested model and then each of its
// fallbacks in order, it picks a deployment (balancer, capacity, breaker), runs one attempt,
// and on failure decides (see FailureKind) whether to back off and retry, move to another
// deployment, fall back to the next model, or give up. chat() and stream() share it; they
// differ only in what one attempt does (`AttemptFn`).
// Thread-safety: one loop per request; everything it touches is thread-safe.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/clock.h"
#include "core/rng.h"
#include "net/task.h"
#include "providers/provider.h"
#include "router/balancer.h"
#include "router/deployment.h"
#include "router/model_table.h"
#include "router/router_metrics.h"
#include "router/sleep_function.h"

namespace osprey::router {

// One attempt against `deployment`. Returns nullopt on success (having kept its result), or the
// upstream error. It may take `selection.outstanding` (a stream keeps the request counted as in
// flight until the caller finishes reading); the loop reports the breaker outcome itself.
using AttemptFn = std::function<net::Task<std::optional<providers::UpstreamError>>(
    const std::shared_ptr<Deployment>& deployment, Selection& selection,
    const providers::CallContext& ctx)>;

struct LoopEnv {
  const Clock& clock;
  RouterMetrics& metrics;
  const SleepFunction& sleep;
  Rng& rng;
  // Count a successful attempt in requests_total/duration here (chat) or leave it to the
  // attempt's result (streams count when the stream ends).
  bool count_success = true;
};

struct LoopOutcome {
  std::optional<providers::UpstreamError> error;  // set when the request failed
  std::string model;                              // the model that answered
  std::string deployment;                         // the deployment that answered
  int attempts = 0;                               // across all models
};

net::Task<LoopOutcome> run_request_loop(std::shared_ptr<const ModelTable> table,
                                        const std::string& model, const providers::CallContext& ctx,
                                        LoopEnv env, const AttemptFn& attempt);

}  // namespace osprey::router
