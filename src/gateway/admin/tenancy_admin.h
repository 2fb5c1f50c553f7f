#pragma once
// TenancyAdmin: the changes an admin makes to tenants and keys, shared by the admin API and the
// `osprey tenants|keys` CLI so both validate alike. Each call makes the change in the store,
// appends one audit entry naming `actor` ("key:osp_ab12cd34", "cli:alice") and, given a
// KeyCache, refreshes it so the change holds on this node at once (other replicas follow
// within auth.key_refresh_ms). Blocking (store calls): run on a worker thread. Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "gateway/auth/key_cache.h"
#include "store/store.h"

namespace osprey::gateway {

struct CreatedApiKey {
  store::ApiKeyInfo info;
  std::string key;  // the secret: shown once, never stored
};

class TenancyAdmin {
 public:
  // `keys` may be null (the CLI has no cache; the servers' polls pick the change up).
  TenancyAdmin(store::Store& store, KeyCache* keys);

  Result<store::Tenant> create_tenant(std::string_view actor, std::string_view name,
                                      std::string_view tags_json);
  Result<store::Tenant> update_tenant_tags(std::string_view actor, std::int64_t tenant_id,
                                           std::string_view tags_json);
  // The admin tenant cannot be disabled (that would lock every admin out): kConflict.
  Result<store::Tenant> disable_tenant(std::string_view actor, std::int64_t tenant_id);
  // `plan_json` is checked with parse_usage_plan_text (errors name the plan field);
  // `expires_at` is ISO-8601 UTC.
  Result<CreatedApiKey> create_key(std::string_view actor, std::int64_t tenant_id,
                                   std::string_view name, std::string_view plan_json,
                                   std::optional<std::string> expires_at);
  Status revoke_key(std::string_view actor, std::int64_t key_id);

  // A tenant by decimal id or by name; kNotFound naming `ref` otherwise.
  Result<store::Tenant> find_tenant(std::string_view ref);
  Result<store::Tenant> get_tenant(std::int64_t tenant_id);

 private:
  Status audit(std::string_view actor, std::string_view action, std::string target,
               std::string detail_json);
  void refresh_keys();

  store::Store& store_;
  KeyCache* keys_;
};

}  // namespace osprey::gateway
