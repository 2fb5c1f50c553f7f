#include "gateway/auth/admin_bootstrap.h"

#include <charconv>

#include "core/api_key.h"

namespace osprey::gateway {
namespace {

Result<store::Tenant> admin_tenant(store::Store& store) {
  Result<store::Tenant> created = store.create_tenant(kAdminTenantName, R"({"role":"admin"})");
  if (created || created.error().code != ErrorCode::kConflict) return created;
  // Left by an earlier bootstrap that stopped before writing the id setting.
  Result<std::vector<store::Tenant>> tenants = store.list_tenants();
  if (!tenants) return tenants.error();
  for (store::Tenant& tenant : *tenants) {
    if (tenant.name == kAdminTenantName) return std::move(tenant);
  }
  return created.error();
}

}  // namespace

Result<std::optional<std::int64_t>> read_admin_tenant_id(store::Store& store) {
  Result<std::optional<std::string>> value = store.get_setting(kAdminTenantSetting);
  if (!value) return value.error();
  if (!value->has_value()) return std::optional<std::int64_t>();
  std::int64_t id = 0;
  const std::string& text = **value;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return make_error(ErrorCode::kStoreError,
                      std::string(kAdminTenantSetting) + ": not a tenant id: " + text);
  }
  return std::optional<std::int64_t>(id);
}

Result<AdminBootstrap> bootstrap_admin(store::Store& store, std::string_view now) {
  Result<bool> first = store.put_setting_if_absent(kAdminBootstrapSetting, now);
  if (!first) return first.error();
  if (!*first) return AdminBootstrap{};
  Result<store::Tenant> tenant = admin_tenant(store);
  if (!tenant) return tenant.error();
  if (Status st = store.put_setting(kAdminTenantSetting, std::to_string(tenant->id)); !st.ok()) {
    return st.error();
  }
  Result<GeneratedApiKey> key = generate_api_key();
  if (!key) return key.error();
  store::NewApiKey record{.tenant_id = tenant->id,
                          .name = "bootstrap",
                          .prefix = key->prefix,
                          .hash = key->hash,
                          .plan_json = "{}",
                          .expires_at = std::nullopt};
  Result<store::ApiKeyInfo> stored = store.create_api_key(record);
  if (!stored) return stored.error();
  return AdminBootstrap{.new_key = std::move(key->key), .prefix = key->prefix};
}

}  // namespace osprey::gateway
