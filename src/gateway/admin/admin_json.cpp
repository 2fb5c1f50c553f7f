#include "gateway/admin/admin_json.h"

#include "core/json_parse.h"
#include "gateway/auth/usage_plan_json.h"

namespace osprey::gateway {
namespace {

nlohmann::json parse_object(const std::string& text) {
  nlohmann::json parsed = parse_json(text);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

}  // namespace

nlohmann::json tenant_json(const store::Tenant& tenant) {
  return {{"id", tenant.id},
          {"object", "tenant"},
          {"name", tenant.name},
          {"tags", parse_object(tenant.tags_json)},
          {"disabled", tenant.disabled},
          {"created_at", tenant.created_at}};
}

nlohmann::json key_json(const store::ApiKeyInfo& key) {
  nlohmann::json out = {
      {"id", key.id},          {"object", "api_key"},         {"tenant_id", key.tenant_id},
      {"name", key.name},      {"prefix", key.prefix},        {"expires_at", nullptr},
      {"revoked_at", nullptr}, {"created_at", key.created_at}};
  if (key.expires_at) out["expires_at"] = *key.expires_at;
  if (key.revoked_at) out["revoked_at"] = *key.revoked_at;
  Result<UsagePlan> plan = parse_usage_plan_text(key.plan_json);
  if (plan) {
    out["plan"] = render_usage_plan(*plan);
  } else {
    out["plan"] = parse_object(key.plan_json);
    out["plan_error"] = plan.error().message;
  }
  return out;
}

nlohmann::json usage_json(const store::UsageAggregate& group) {
  return {{"group", group.group},
          {"requests", group.requests},
          {"tokens_in", group.tokens_in},
          {"tokens_out", group.tokens_out},
          {"cost_micros", group.cost_micros},
          {"cost_usd", static_cast<double>(group.cost_micros) / 1e6},
          {"cache_hits", group.cache_hits}};
}

nlohmann::json audit_json(const AuditEntry& entry) {
  nlohmann::json detail = parse_json(entry.detail_json);
  if (detail.is_discarded()) detail = entry.detail_json;
  return {{"seq", entry.seq},
          {"at", entry.at},
          {"actor", entry.actor},
          {"action", entry.action},
          {"target", entry.target},
          {"detail", detail},
          {"prev_hash", entry.prev_hash},
          {"hash", entry.hash}};
}

nlohmann::json list_json(nlohmann::json data) {
  return {{"object", "list"}, {"data", std::move(data)}};
}

}  // namespace osprey::gateway
