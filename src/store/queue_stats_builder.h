#pragma once
// QueueStatsBuilder: folds the grouped rows both backends read for queue_stats (ready items by
// priority and tenant, leased items by tenant and resource, unfinished jobs by tenant) into a
// QueueStats, so each backend scans the ready items once.
#include <cstdint>
#include <map>
#include <string>

#include "store/job_records.h"

namespace osprey::store {

class QueueStatsBuilder {
 public:
  // `oldest_created_at`: ISO-8601 text (same format everywhere, so text order is time order).
  void add_ready(int priority, std::int64_t tenant_id, std::int64_t count,
                 const std::string& oldest_created_at);
  void add_leased(std::int64_t tenant_id, const std::string& resource, std::int64_t count);
  void add_jobs(std::int64_t tenant_id, std::int64_t active_jobs, std::int64_t running_jobs);
  QueueStats build(std::int64_t lease_expirations) const;

 private:
  std::map<int, QueueStats::Priority, std::greater<>> priorities_;
  std::map<std::string, std::int64_t> resources_;
  std::map<std::int64_t, QueueStats::Tenant> tenants_;
};

}  // namespace osprey::store
