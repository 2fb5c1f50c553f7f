#include "router/model_table.h"

#include <utility>

namespace osprey::router {

Result<std::shared_ptr<const ModelTable>> ModelTable::build(
    const RouterConfig& config, const ModelTable* previous,
    const providers::ProviderRegistry& registry, net::HttpClient& client, const Clock& clock,
    RouterMetrics& metrics) {
  if (auto status = validate_router_config(config); !status.ok()) return status.error();
  auto table = std::make_shared<ModelTable>();
  for (std::size_t i = 0; i < config.models.size(); ++i) {
    const ModelConfig& m = config.models[i];
    ModelEntry entry;
    entry.config = m;
    for (std::size_t j = 0; j < m.deployments.size(); ++j) {
      const DeploymentConfig& d = m.deployments[j];
      std::shared_ptr<Deployment> kept = previous ? previous->deployment(d.id) : nullptr;
      if (kept && kept->same_as(m.name, d, m)) {
        entry.deployments.push_back(std::move(kept));
        continue;
      }
      auto created = Deployment::create(m.name, d, m, registry, client, clock, metrics);
      if (!created.ok()) {
        return make_error(created.code(), "models[" + std::to_string(i) + "].deployments[" +
                                              std::to_string(j) + "] (" + d.id +
                                              "): " + created.error().message);
      }
      entry.deployments.push_back(std::move(*created));
    }
    table->all_.insert(table->all_.end(), entry.deployments.begin(), entry.deployments.end());
    table->names_.push_back(m.name);
    table->models_.emplace(m.name, std::move(entry));
  }
  return std::shared_ptr<const ModelTable>(std::move(table));
}

const ModelEntry* ModelTable::find(const std::string& name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : &it->second;
}

std::shared_ptr<Deployment> ModelTable::deployment(const std::string& id) const {
  for (const auto& d : all_) {
    if (d->id() == id) return d;
  }
  return nullptr;
}

}  // namespace osprey::router
