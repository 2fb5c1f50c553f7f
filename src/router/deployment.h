#pragma once
// Deployment: one configured upstream of a public model — its config, its Provider, and its live
// state (outstanding count, health, circuit breaker). Shared by the model tables that contain it
// and by calls in flight, so a reload that keeps the deployment unchanged keeps its state, and a
// reload that drops it lets in-flight calls finish against it.
// Thread-safety: immutable after construction except `state` (thread-safe by itself) and
// `next_probe` (atomic).
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "net/http_client.h"
#include "providers/provider.h"
#include "providers/provider_registry.h"
#include "router/deployment_state.h"
#include "router/router_config.h"
#include "router/router_metrics.h"

namespace osprey::router {

class Deployment {
 public:
  // Builds the provider through `registry`; fails with its config_invalid error.
  static Result<std::shared_ptr<Deployment>> create(const std::string& model,
                                                    const DeploymentConfig& config,
                                                    const ModelConfig& model_config,
                                                    const providers::ProviderRegistry& registry,
                                                    net::HttpClient& client, const Clock& clock,
                                                    RouterMetrics& metrics);
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;

  const std::string& id() const { return config_.id; }
  const std::string& model() const { return model_; }
  const DeploymentConfig& config() const { return config_; }
  const HealthCheckConfig& health_config() const { return health_; }
  const providers::Provider& provider() const { return *provider_; }
  DeploymentState& state() const { return *state_; }
  int max_concurrent() const { return config_.max_concurrent; }
  bool has_capacity() const { return state_->outstanding() < config_.max_concurrent; }

  // True when a reload may keep this deployment (and its live state) for `config` of `model`.
  bool same_as(const std::string& model, const DeploymentConfig& config,
               const ModelConfig& model_config) const;

  // When the health checker should probe next (steady clock ticks); 0 = at once.
  std::atomic<std::chrono::steady_clock::rep>& next_probe() const { return next_probe_; }

  // Cached metric children for this deployment.
  struct Metrics {
    metrics::Histogram& duration;
    metrics::Histogram& ttft;
    metrics::Counter& tokens_in;
    metrics::Counter& tokens_out;
    metrics::Gauge& circuit_state;
    metrics::Gauge& healthy;
    metrics::Gauge& outstanding;
  };
  const Metrics& metrics() const { return metrics_; }
  const RouterMetrics& families() const { return families_; }

 private:
  struct Key {};  // only create() builds deployments

 public:
  Deployment(Key, std::string model, DeploymentConfig config, const ModelConfig& model_config,
             std::unique_ptr<providers::Provider> provider, const Clock& clock,
             RouterMetrics& metrics);

 private:
  const std::string model_;
  const DeploymentConfig config_;
  const BreakerConfig breaker_;
  const HealthCheckConfig health_;
  const std::unique_ptr<providers::Provider> provider_;
  // A copy: the families live as long as the registry, the router's own struct may not.
  const RouterMetrics families_;
  const Metrics metrics_;
  std::unique_ptr<DeploymentState> state_;
  mutable std::atomic<std::chrono::steady_clock::rep> next_probe_{0};
};

// Maps the router's config onto the resilience primitives.
CircuitBreakerOptions breaker_options(const BreakerConfig& config);
HealthCheckOptions health_options(const HealthCheckConfig& config);

}  // namespace osprey::router
