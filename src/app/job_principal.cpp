#include "app/job_principal.h"

#include <string>

#include "gateway/auth/usage_plan_json.h"
#include "store/tenancy_input.h"

namespace osprey::app {
namespace {

Error forbidden(std::string message) {
  return make_error(ErrorCode::kForbidden, std::move(message));
}

}  // namespace

Result<gateway::Principal> job_principal(store::Store& store, std::int64_t tenant_id,
                                         std::int64_t key_id,
                                         std::chrono::system_clock::time_point now) {
  auto tenant = store.get_tenant(tenant_id);
  if (!tenant) return tenant.error();
  if (!tenant.value()) return forbidden("tenant " + std::to_string(tenant_id) + " does not exist");
  if (tenant.value()->disabled) return forbidden("tenant " + tenant.value()->name + " is disabled");
  auto keys = store.list_api_keys(tenant_id);
  if (!keys) return keys.error();

  gateway::Principal principal;
  principal.tenant_id = tenant_id;
  principal.tenant_name = tenant.value()->name;
  principal.tenant_tags_json = tenant.value()->tags_json;
  if (key_id != 0) {
    for (const store::ApiKeyInfo& key : keys.value()) {
      if (key.id != key_id) continue;
      if (key.revoked_at) return forbidden("key " + key.prefix + " is revoked");
      if (key.expires_at && *key.expires_at <= store::format_timestamp(now)) {
        return forbidden("key " + key.prefix + " expired at " + *key.expires_at);
      }
      auto plan = gateway::parse_usage_plan_text(key.plan_json);
      if (!plan) return plan.error();
      principal.key_id = key.id;
      principal.key_prefix = key.prefix;
      principal.plan = std::move(plan.value());
      return principal;
    }
    return forbidden("key " + std::to_string(key_id) + " is not a key of tenant " +
                     principal.tenant_name);
  }
  for (const store::ApiKeyInfo& key : keys.value()) {
    if (key.revoked_at) continue;
    auto plan = gateway::parse_usage_plan_text(key.plan_json);
    if (!plan || plan->monthly_budget_micros <= 0) continue;
    std::int64_t& budget = principal.plan.monthly_budget_micros;
    if (budget == 0 || plan->monthly_budget_micros < budget) budget = plan->monthly_budget_micros;
  }
  return principal;
}

}  // namespace osprey::app
