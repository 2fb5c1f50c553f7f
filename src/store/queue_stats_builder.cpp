#include "store/queue_stats_builder.h"

namespace osprey::store {

void QueueStatsBuilder::add_ready(int priority, std::int64_t tenant_id, std::int64_t count,
                                  const std::string& oldest_created_at) {
  QueueStats::Priority& p = priorities_[priority];
  p.priority = priority;
  p.ready += count;
  if (!p.oldest_ready_at || oldest_created_at < *p.oldest_ready_at) {
    p.oldest_ready_at = oldest_created_at;
  }
  tenants_[tenant_id].ready_items += count;
}

void QueueStatsBuilder::add_leased(std::int64_t tenant_id, const std::string& resource,
                                   std::int64_t count) {
  resources_[resource] += count;
  tenants_[tenant_id].leased_items += count;
}

void QueueStatsBuilder::add_jobs(std::int64_t tenant_id, std::int64_t active_jobs,
                                 std::int64_t running_jobs) {
  QueueStats::Tenant& t = tenants_[tenant_id];
  t.active_jobs += active_jobs;
  t.running_jobs += running_jobs;
}

QueueStats QueueStatsBuilder::build(std::int64_t lease_expirations) const {
  QueueStats stats;
  for (const auto& [priority, p] : priorities_) stats.priorities.push_back(p);
  for (const auto& [resource, leased] : resources_) {
    stats.resources.push_back(QueueStats::Resource{resource, leased});
  }
  for (const auto& [id, t] : tenants_) {
    stats.tenants.push_back(t);
    stats.tenants.back().tenant_id = id;
  }
  stats.lease_expirations = lease_expirations;
  return stats;
}

}  // namespace osprey::store
