#pragma once
// ModelRouter: turns a public model name into an answer. Picks a deployment (power of two
// choices on least outstanding requests among healthy ones, weights respected), retries on
// connect errors, timeouts, 429 and 5xx with capped exponential backoff and full jitter (honouring
// Retry-After, within a total deadline), keeps a circuit breaker and active health checks per
// deployment, and walks the model's fallback chain when every deployment fails or is open.
// Thread-safe; reload() swaps the whole model table without disturbing calls in flight.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "net/task.h"
#include "providers/provider.h"
#include "providers/provider_registry.h"
#include "router/router_config.h"
#include "router/sleep_function.h"

namespace osprey::net {
class HttpClient;
}

namespace osprey::router {

struct RoutedResponse {
  providers::ChatResponse response;
  std::string model;       // public model that answered (differs from the request on fallback)
  std::string deployment;  // deployment id that answered
  int attempts = 1;
};

struct RoutedStream {
  std::unique_ptr<providers::ChatEventReader> events;  // first event already confirmed readable
  std::string model;
  std::string deployment;
  int attempts = 1;
};

struct ModelInfo {
  std::string name;
  std::vector<std::string> deployments;
};

// Knobs for tests; production uses the defaults.
struct RouterOptions {
  // How retries and health checks wait; empty means cancellable_sleep (real time).
  SleepFunction sleep;
  // Seed of the balancer's randomness; random when unset.
  std::optional<std::uint64_t> seed;
};

class ModelRouter {
 public:
  ModelRouter(const providers::ProviderRegistry& registry, net::HttpClient& client,
              metrics::Registry& metrics, Clock& clock);
  ModelRouter(const providers::ProviderRegistry& registry, net::HttpClient& client,
              metrics::Registry& metrics, Clock& clock, RouterOptions options);
  ~ModelRouter();

  // Validates and installs a model table (first load or reload). On error the old table stays.
  Status load(const RouterConfig& config);

  // Unknown model → not_found. All attempts failed → the last upstream error (or
  // no_healthy_upstream when nothing could be tried).
  net::Task<providers::UpstreamResult<RoutedResponse>> chat(providers::ChatRequest request,
                                                            providers::CallContext ctx);
  // Retries and falls back until a deployment has produced its first event; after that the
  // stream is the caller's and is never retried.
  net::Task<providers::UpstreamResult<RoutedStream>> stream(providers::ChatRequest request,
                                                            providers::CallContext ctx);

  std::vector<ModelInfo> models() const;

  // Runs the active health checks until stop(); call from a coroutine on the server's executor.
  net::Task<void> run_health_checks();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace osprey::router
