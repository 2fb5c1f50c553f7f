#pragma once
// The balancer: chooses which deployment of a model serves the next request.
//
// Power of two choices on load (outstanding requests / weight) among available deployments
// (healthy and circuit breaker admitting). Two distinct deployments are drawn at random with
// probability proportional to weight and the less loaded one wins; on equal load the first
// drawn wins, so at equal load traffic splits exactly by weight (3:1 weights -> 75% / 25%).
//
// Exclusion (for retries): deployments listed in `excluded` (typically the ones that just
// failed this request) are skipped. With ExclusionMode::kPrefer (the default) an excluded
// deployment is still chosen if it is the only available one: a transient failure (429, one
// timeout) often succeeds on retry, and its circuit breaker already stops traffic to one that
// is really down. With kStrict it is never chosen (use when a fallback model is configured, so
// a retry there beats a retry on the same deployment).
//
// Thread-safety: stateless; safe to call concurrently with the same deployments. The random
// generator is the caller's and must not be shared between threads.
#include <random>
#include <span>

#include "core/circuit_breaker.h"
#include "core/rng.h"
#include "router/deployment_state.h"
#include "router/outstanding_guard.h"

namespace osprey::router {

enum class ExclusionMode { kPrefer, kStrict };

// kIgnore: a deployment that health checks marked unhealthy still counts as available (its
// breaker must still admit the call). The router's panic mode; see docs/routing.md.
enum class HealthMode { kRespect, kIgnore };

// Returns the chosen deployment, or nullptr when none is available. Null entries in either
// span are ignored. Does not take a circuit breaker permit: see select() for that.
DeploymentState* pick(std::span<DeploymentState* const> candidates, Rng& rng,
                      std::span<const DeploymentState* const> excluded = {},
                      ExclusionMode mode = ExclusionMode::kPrefer,
                      HealthMode health = HealthMode::kRespect);

// A chosen deployment together with its breaker permit and outstanding count: everything a
// request needs to call it. Report the outcome on `permit`; the count drops when the selection
// is destroyed (or outstanding.release() is called).
struct Selection {
  DeploymentState* deployment = nullptr;
  CircuitBreaker::Permit permit;
  OutstandingGuard outstanding;

  explicit operator bool() const { return deployment != nullptr; }
};

// pick() followed by taking a breaker permit. If another request took the last half-open trial
// slot between the two, that deployment is dropped and the pick repeated, so this returns an
// empty selection only when nothing can be called.
Selection select(std::span<DeploymentState* const> candidates, Rng& rng,
                 std::span<const DeploymentState* const> excluded = {},
                 ExclusionMode mode = ExclusionMode::kPrefer,
                 HealthMode health = HealthMode::kRespect);

}  // namespace osprey::router
