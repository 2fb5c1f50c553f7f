#include "gateway/admin/tenancy_admin.h"

#include <charconv>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/api_key.h"
#include "core/json_parse.h"
#include "gateway/auth/admin_bootstrap.h"
#include "gateway/auth/usage_plan_json.h"

namespace osprey::gateway {
namespace {

nlohmann::json parse_or_text(std::string_view json_text) {
  nlohmann::json parsed = parse_json(json_text);
  return parsed.is_discarded() ? nlohmann::json(std::string(json_text)) : parsed;
}

}  // namespace

TenancyAdmin::TenancyAdmin(store::Store& store, KeyCache* keys) : store_(store), keys_(keys) {}

Status TenancyAdmin::audit(std::string_view actor, std::string_view action, std::string target,
                           std::string detail_json) {
  Result<AuditEntry> appended = store_.append_audit({.at = {},
                                                     .actor = std::string(actor),
                                                     .action = std::string(action),
                                                     .target = std::move(target),
                                                     .detail_json = std::move(detail_json)});
  if (!appended) return appended.error();
  return {};
}

void TenancyAdmin::refresh_keys() {
  // A failure here only delays the change to the next poll.
  if (keys_ != nullptr) (void)keys_->refresh();
}

Result<store::Tenant> TenancyAdmin::get_tenant(std::int64_t tenant_id) {
  Result<std::optional<store::Tenant>> tenant = store_.get_tenant(tenant_id);
  if (!tenant) return tenant.error();
  if (!tenant->has_value()) {
    return make_error(ErrorCode::kNotFound, "no tenant with id " + std::to_string(tenant_id));
  }
  return std::move(**tenant);
}

Result<store::Tenant> TenancyAdmin::find_tenant(std::string_view ref) {
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
  if (ec == std::errc() && ptr == ref.data() + ref.size()) return get_tenant(id);
  Result<std::vector<store::Tenant>> tenants = store_.list_tenants();
  if (!tenants) return tenants.error();
  for (store::Tenant& tenant : *tenants) {
    if (tenant.name == ref) return std::move(tenant);
  }
  return make_error(ErrorCode::kNotFound, "no tenant named \"" + std::string(ref) + "\"");
}

Result<store::Tenant> TenancyAdmin::create_tenant(std::string_view actor, std::string_view name,
                                                  std::string_view tags_json) {
  Result<store::Tenant> tenant = store_.create_tenant(name, tags_json);
  if (!tenant) return tenant.error();
  nlohmann::json detail = {{"name", tenant->name}, {"tags", parse_or_text(tenant->tags_json)}};
  if (Status st =
          audit(actor, "tenant.create", "tenant:" + std::to_string(tenant->id), detail.dump());
      !st.ok()) {
    return st.error();
  }
  return tenant;
}

Result<store::Tenant> TenancyAdmin::update_tenant_tags(std::string_view actor,
                                                       std::int64_t tenant_id,
                                                       std::string_view tags_json) {
  if (Status st = store_.update_tenant_tags(tenant_id, tags_json); !st.ok()) return st.error();
  Result<store::Tenant> tenant = get_tenant(tenant_id);
  if (!tenant) return tenant.error();
  nlohmann::json detail = {{"name", tenant->name}, {"tags", parse_or_text(tenant->tags_json)}};
  if (Status st =
          audit(actor, "tenant.update_tags", "tenant:" + std::to_string(tenant_id), detail.dump());
      !st.ok()) {
    return st.error();
  }
  refresh_keys();  // the Principal carries the tags
  return tenant;
}

Result<store::Tenant> TenancyAdmin::disable_tenant(std::string_view actor, std::int64_t tenant_id) {
  Result<std::optional<std::int64_t>> admin_id = read_admin_tenant_id(store_);
  if (!admin_id) return admin_id.error();
  if (admin_id->has_value() && **admin_id == tenant_id) {
    return make_error(ErrorCode::kConflict,
                      "the admin tenant cannot be disabled; revoke single admin keys instead");
  }
  if (Status st = store_.disable_tenant(tenant_id); !st.ok()) return st.error();
  Result<store::Tenant> tenant = get_tenant(tenant_id);
  if (!tenant) return tenant.error();
  nlohmann::json detail = {{"name", tenant->name}};
  if (Status st =
          audit(actor, "tenant.disable", "tenant:" + std::to_string(tenant_id), detail.dump());
      !st.ok()) {
    return st.error();
  }
  refresh_keys();
  return tenant;
}

Result<CreatedApiKey> TenancyAdmin::create_key(std::string_view actor, std::int64_t tenant_id,
                                               std::string_view name, std::string_view plan_json,
                                               std::optional<std::string> expires_at) {
  const std::string plan_text = plan_json.empty() ? std::string("{}") : std::string(plan_json);
  Result<UsagePlan> plan = parse_usage_plan_text(plan_text);
  if (!plan) return plan.error();
  Result<store::Tenant> tenant = get_tenant(tenant_id);
  if (!tenant) return tenant.error();
  if (tenant->disabled) {
    return make_error(ErrorCode::kConflict,
                      "tenant \"" + tenant->name + "\" is disabled; its keys would not work");
  }
  Result<GeneratedApiKey> key = generate_api_key();
  if (!key) return key.error();
  Result<store::ApiKeyInfo> info = store_.create_api_key({.tenant_id = tenant_id,
                                                          .name = std::string(name),
                                                          .prefix = key->prefix,
                                                          .hash = key->hash,
                                                          .plan_json = plan_text,
                                                          .expires_at = std::move(expires_at)});
  if (!info) return info.error();
  nlohmann::json detail = {{"tenant", tenant->name},
                           {"tenant_id", tenant_id},
                           {"prefix", info->prefix},
                           {"name", info->name},
                           {"plan", render_usage_plan(*plan)}};
  if (info->expires_at) detail["expires_at"] = *info->expires_at;
  if (Status st = audit(actor, "key.create", "key:" + std::to_string(info->id), detail.dump());
      !st.ok()) {
    return st.error();
  }
  refresh_keys();  // drops a negative cache entry for this hash, if a client tried it early
  return CreatedApiKey{std::move(info.value()), std::move(key->key)};
}

Status TenancyAdmin::revoke_key(std::string_view actor, std::int64_t key_id) {
  if (Status st = store_.revoke_api_key(key_id); !st.ok()) return st;
  if (Status st = audit(actor, "key.revoke", "key:" + std::to_string(key_id), "{}"); !st.ok()) {
    return st;
  }
  refresh_keys();
  return {};
}

}  // namespace osprey::gateway
