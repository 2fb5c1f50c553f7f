#pragma once
// RouterConfig: the `models:` section of the configuration, parsed and validated into typed
// structs (errors name the key, e.g. "models[1].deployments[0].base_url: must be an http(s) URL").
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/provider.h"

namespace osprey::router {

struct DeploymentConfig {
  std::string id;  // unique across all models, e.g. "gpt-4o@openai-east"; shown in headers/metrics
  providers::ProviderConfig provider;
  double weight = 1.0;
  int max_concurrent = 256;  // requests in flight to this deployment
};

struct HealthCheckConfig {
  bool enabled = true;
  std::chrono::milliseconds interval{10000};
  std::chrono::milliseconds timeout{2000};
  int healthy_threshold = 2;    // consecutive probe successes to mark healthy
  int unhealthy_threshold = 3;  // consecutive probe failures to mark unhealthy
};

struct BreakerConfig {
  int consecutive_failures = 5;
  double error_rate = 0.5;  // over the window, once min_requests is reached
  int min_requests = 20;
  std::chrono::milliseconds window{10000};
  std::chrono::milliseconds open_duration{5000};
  int half_open_max_calls = 1;
};

struct RetryConfig {
  int max_attempts = 3;  // total attempts across deployments of one model
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{2000};
  std::chrono::milliseconds total_deadline{60000};  // for the whole request incl. fallbacks
};

struct ModelConfig {
  std::string name;  // public model name clients send
  std::vector<DeploymentConfig> deployments;
  std::vector<std::string> fallbacks;  // other public model names, tried in order
  RetryConfig retry;
  BreakerConfig breaker;
  HealthCheckConfig health;
  // When health checks mark every deployment unhealthy and no fallback can be called, try the
  // deployments anyway (their breakers still apply) instead of refusing. See docs/routing.md.
  bool panic = true;
};

struct RouterConfig {
  std::vector<ModelConfig> models;
};

// Parses `sections["models"]` (absent → no models). Secrets (`api_key`, AWS keys) come only from
// `*_env` (environment variable name) or `*_file` keys, never inline.
Result<RouterConfig> parse_router_config(const nlohmann::json& sections,
                                         const std::map<std::string, std::string>& env);

// The checks that span models (unique names and deployment ids, fallbacks that exist and form no
// cycle, positive weights); parse_router_config runs them, and so does ModelRouter::load for a
// config built in code.
Status validate_router_config(const RouterConfig& config);

}  // namespace osprey::router
