#pragma once
// ModelTable: one immutable snapshot of the routing configuration — public model name to its
// deployments, retry policy and fallbacks. The router swaps whole tables on reload; a call holds
// the table it started with, so it never sees half of an old and half of a new configuration.
// Thread-safety: immutable after build(); the deployments inside carry their own thread-safe state.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/http_client.h"
#include "providers/provider_registry.h"
#include "router/deployment.h"
#include "router/router_config.h"
#include "router/router_metrics.h"

namespace osprey::router {

struct ModelEntry {
  ModelConfig config;  // deployments[i] describes deployments[i] below
  std::vector<std::shared_ptr<Deployment>> deployments;
};

class ModelTable {
 public:
  // Builds a table for `config` (validated here). Deployments that `previous` (may be null) holds
  // with the same id and configuration are reused with their live state; others get a new
  // Provider from `registry`. On error nothing is changed anywhere.
  static Result<std::shared_ptr<const ModelTable>> build(
      const RouterConfig& config, const ModelTable* previous,
      const providers::ProviderRegistry& registry, net::HttpClient& client, const Clock& clock,
      RouterMetrics& metrics);

  // Null when the model is unknown.
  const ModelEntry* find(const std::string& name) const;
  const std::vector<std::string>& names() const { return names_; }  // in config order
  // Every deployment of every model, in config order.
  const std::vector<std::shared_ptr<Deployment>>& all_deployments() const { return all_; }
  // Finds a deployment by id; null if absent.
  std::shared_ptr<Deployment> deployment(const std::string& id) const;

 private:
  std::map<std::string, ModelEntry> models_;
  std::vector<std::string> names_;
  std::vector<std::shared_ptr<Deployment>> all_;
};

}  // namespace osprey::router
