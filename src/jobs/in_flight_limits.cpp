#include "jobs/in_flight_limits.h"

#include <algorithm>

namespace osprey::jobs {

void InFlightLimits::add(std::int64_t tenant_id, const std::string& resource) {
  std::lock_guard lock(mu_);
  ++by_tenant_[tenant_id];
  if (!resource.empty()) ++by_resource_[resource];
  ++total_;
}

void InFlightLimits::remove(std::int64_t tenant_id, const std::string& resource) {
  std::lock_guard lock(mu_);
  if (auto it = by_tenant_.find(tenant_id); it != by_tenant_.end() && --it->second <= 0) {
    by_tenant_.erase(it);
  }
  if (auto it = by_resource_.find(resource); it != by_resource_.end() && --it->second <= 0) {
    by_resource_.erase(it);
  }
  total_ = std::max(0, total_ - 1);
}

int InFlightLimits::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

int InFlightLimits::resource_in_use(const std::string& resource) const {
  std::lock_guard lock(mu_);
  auto it = by_resource_.find(resource);
  return it == by_resource_.end() ? 0 : it->second;
}

int InFlightLimits::tenant_in_flight(std::int64_t tenant_id) const {
  std::lock_guard lock(mu_);
  auto it = by_tenant_.find(tenant_id);
  return it == by_tenant_.end() ? 0 : it->second;
}

std::vector<std::pair<std::string, int>> InFlightLimits::resource_caps() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, int>> caps;
  for (const auto& [resource, limit] : resource_limits_) {
    auto it = by_resource_.find(resource);
    const int used = it == by_resource_.end() ? 0 : it->second;
    caps.emplace_back(resource, std::max(0, limit - used));
  }
  return caps;
}

std::vector<std::pair<std::int64_t, int>> InFlightLimits::tenant_caps(
    const std::map<std::int64_t, int>& tenant_limits) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::int64_t, int>> caps;
  for (const auto& [tenant, limit] : tenant_limits) {
    if (limit <= 0) continue;  // 0 = unlimited
    auto it = by_tenant_.find(tenant);
    const int used = it == by_tenant_.end() ? 0 : it->second;
    caps.emplace_back(tenant, std::max(0, limit - used));
  }
  return caps;
}

}  // namespace osprey::jobs
