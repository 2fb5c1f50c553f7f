#pragma once
// DeploymentState: the live state of one upstream deployment (one model on one endpoint) that
// the balancer reads on every request: outstanding requests, weight, health from active
// probes, and its circuit breaker. Free of HTTP and provider types on purpose.
// Thread-safety: shared by all request threads; every member is safe to call concurrently.
// Address-stable (not copyable or movable) because guards and permits point at it.
#include <atomic>
#include <cstdint>
#include <string>

#include "core/circuit_breaker.h"
#include "core/clock.h"
#include "core/result.h"
#include "router/health_tracker.h"

namespace osprey::router {

struct DeploymentOptions {
  std::string id;       // unique name, used in logs and metric labels
  double weight = 1.0;  // relative share of traffic at equal load; must be > 0
  CircuitBreakerOptions breaker;
  HealthCheckOptions health;
};

// Checks the options including the nested breaker and health options.
Status validate(const DeploymentOptions& options);

class DeploymentState {
 public:
  // A weight that is not a positive finite number is clamped to a tiny positive one (such a
  // deployment only gets traffic when nothing else is available); validate() to report it.
  DeploymentState(DeploymentOptions options, const Clock& clock,
                  CircuitBreaker::StateChangeCallback on_breaker_change = {});
  DeploymentState(const DeploymentState&) = delete;
  DeploymentState& operator=(const DeploymentState&) = delete;

  const std::string& id() const { return id_; }
  double weight() const { return weight_; }
  std::int64_t outstanding() const { return outstanding_.load(std::memory_order_relaxed); }
  // Outstanding requests per unit of weight: what the balancer minimizes.
  double load() const { return static_cast<double>(outstanding()) / weight_; }

  bool healthy() const { return health_.healthy(); }
  // Healthy and the breaker would admit a call (without taking a half-open trial slot).
  bool available() const { return healthy() && breaker_.available(); }

  HealthTracker& health() { return health_; }
  CircuitBreaker& breaker() { return breaker_; }

 private:
  friend class OutstandingGuard;

  const std::string id_;
  const double weight_;
  std::atomic<std::int64_t> outstanding_{0};
  HealthTracker health_;
  CircuitBreaker breaker_;
};

}  // namespace osprey::router
