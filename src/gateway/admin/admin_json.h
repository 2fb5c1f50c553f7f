#pragma once
// JSON shapes of the tenancy admin API: tenants, keys (never a hash), usage groups and audit
// entries. Pure functions, thread-safe.
#include <nlohmann/json.hpp>

#include "core/audit_chain.h"
#include "store/tenancy_records.h"

namespace osprey::gateway {

nlohmann::json tenant_json(const store::Tenant& tenant);
// The plan is rendered in full (usage_plan_json); a stored plan that no longer parses is shown
// as stored, with "plan_error".
nlohmann::json key_json(const store::ApiKeyInfo& key);
nlohmann::json usage_json(const store::UsageAggregate& group);
nlohmann::json audit_json(const AuditEntry& entry);
// {"object":"list","data":[...]}
nlohmann::json list_json(nlohmann::json data);

}  // namespace osprey::gateway
