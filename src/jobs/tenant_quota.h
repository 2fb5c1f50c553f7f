#pragma once
// Per-tenant job quotas: jobs.tenants.<name> overrides, else the jobs.* defaults.
#include <string_view>

#include "jobs/jobs_config.h"

namespace osprey::jobs {

// Status message of a job held at submission because its tenant is at max_running_jobs; the
// engine resumes such jobs, oldest first, as slots free up.
inline constexpr std::string_view kQuotaHoldPrefix = "queued: waiting for a running-jobs slot";

inline TenantQuota quota_for(const JobsConfig& config, std::string_view tenant_name) {
  auto it = config.tenant_quotas.find(std::string(tenant_name));
  return it == config.tenant_quotas.end() ? config.default_quota : it->second;
}

}  // namespace osprey::jobs
