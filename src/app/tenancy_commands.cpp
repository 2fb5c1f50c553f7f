// `osprey tenants ...`, `osprey keys ...` and `osprey audit verify`: admin work straight on the
// store named by the configuration, for bootstrapping and for when the API is not reachable.
// Changes go through gateway::TenancyAdmin, so they are validated and audited exactly as the
// admin API's; running servers pick them up within auth.key_refresh_ms.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli_store.h"
#include "app/commands.h"
#include "gateway/admin/admin_json.h"
#include "gateway/admin/tenancy_admin.h"
#include "gateway/audit/audit_verify.h"

namespace osprey::app {
namespace {

constexpr const char* kTenantsUsage =
    "usage: osprey tenants create NAME [--tags JSON] | list | disable TENANT  [--json]";
constexpr const char* kKeysUsage =
    "usage: osprey keys create --tenant TENANT [--name NAME] [--plan JSON] [--expires-at TIME] | "
    "list --tenant TENANT | revoke KEY_ID  [--json]";
constexpr const char* kAuditUsage = "usage: osprey audit verify [--anchor SEQ:HASH]";

// Audit actor of CLI changes: the OS user, so the log says who ran the command.
std::string cli_actor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user && *user ? user : "unknown");
}

int fail(const Error& error) {
  std::fprintf(stderr, "osprey: %s\n", error.message.c_str());
  return 1;
}

void print_json(const nlohmann::json& value) { std::printf("%s\n", value.dump(2).c_str()); }

bool want_json(const CommandLine& cl) { return cli_option(cl, "json") != nullptr; }

int tenants_create(const CommandLine& cl, gateway::TenancyAdmin& admin) {
  if (cl.words.size() != 3) return usage_failure(kTenantsUsage);
  const std::string* tags = cli_option(cl, "tags");
  Result<store::Tenant> tenant =
      admin.create_tenant(cli_actor(), cl.words[2], tags ? *tags : std::string("{}"));
  if (!tenant) return fail(tenant.error());
  if (want_json(cl)) {
    print_json(gateway::tenant_json(*tenant));
  } else {
    std::printf("created tenant %lld %s\n", static_cast<long long>(tenant->id),
                tenant->name.c_str());
  }
  return 0;
}

int tenants_list(const CommandLine& cl, store::Store& store) {
  if (cl.words.size() != 2) return usage_failure(kTenantsUsage);
  Result<std::vector<store::Tenant>> tenants = store.list_tenants();
  if (!tenants) return fail(tenants.error());
  nlohmann::json data = nlohmann::json::array();
  for (const store::Tenant& t : *tenants) data.push_back(gateway::tenant_json(t));
  if (want_json(cl)) {
    print_json(data);
    return 0;
  }
  std::printf("%-6s %-24s %-9s %s\n", "ID", "NAME", "DISABLED", "TAGS");
  for (const store::Tenant& t : *tenants) {
    std::printf("%-6lld %-24s %-9s %s\n", static_cast<long long>(t.id), t.name.c_str(),
                t.disabled ? "yes" : "no", t.tags_json.c_str());
  }
  return 0;
}

int tenants_disable(const CommandLine& cl, gateway::TenancyAdmin& admin) {
  if (cl.words.size() != 3) return usage_failure(kTenantsUsage);
  Result<store::Tenant> tenant = admin.find_tenant(cl.words[2]);
  if (tenant) tenant = admin.disable_tenant(cli_actor(), tenant->id);
  if (!tenant) return fail(tenant.error());
  std::printf("disabled tenant %lld %s\n", static_cast<long long>(tenant->id),
              tenant->name.c_str());
  return 0;
}

int keys_create(const CommandLine& cl, gateway::TenancyAdmin& admin) {
  const std::string* tenant_ref = cli_option(cl, "tenant");
  if (cl.words.size() != 2 || tenant_ref == nullptr) return usage_failure(kKeysUsage);
  Result<store::Tenant> tenant = admin.find_tenant(*tenant_ref);
  if (!tenant) return fail(tenant.error());
  const std::string* name = cli_option(cl, "name");
  const std::string* plan = cli_option(cl, "plan");
  const std::string* expires = cli_option(cl, "expires-at");
  Result<gateway::CreatedApiKey> created = admin.create_key(
      cli_actor(), tenant->id, name ? *name : std::string(), plan ? *plan : std::string("{}"),
      expires ? std::optional<std::string>(*expires) : std::nullopt);
  if (!created) return fail(created.error());
  if (want_json(cl)) {
    nlohmann::json out = gateway::key_json(created->info);
    out["key"] = created->key;
    print_json(out);
  } else {
    std::printf("created key %lld (%s) for tenant %s\n", static_cast<long long>(created->info.id),
                created->info.prefix.c_str(), tenant->name.c_str());
    std::printf("osprey key (shown once): %s\n", created->key.c_str());
  }
  return 0;
}

int keys_list(const CommandLine& cl, gateway::TenancyAdmin& admin, store::Store& store) {
  const std::string* tenant_ref = cli_option(cl, "tenant");
  if (cl.words.size() != 2 || tenant_ref == nullptr) return usage_failure(kKeysUsage);
  Result<store::Tenant> tenant = admin.find_tenant(*tenant_ref);
  if (!tenant) return fail(tenant.error());
  Result<std::vector<store::ApiKeyInfo>> keys = store.list_api_keys(tenant->id);
  if (!keys) return fail(keys.error());
  nlohmann::json data = nlohmann::json::array();
  for (const store::ApiKeyInfo& k : *keys) data.push_back(gateway::key_json(k));
  if (want_json(cl)) {
    print_json(data);
    return 0;
  }
  std::printf("%-6s %-13s %-16s %-25s %s\n", "ID", "PREFIX", "NAME", "EXPIRES", "STATE");
  for (const store::ApiKeyInfo& k : *keys) {
    std::printf("%-6lld %-13s %-16s %-25s %s\n", static_cast<long long>(k.id), k.prefix.c_str(),
                k.name.c_str(), k.expires_at ? k.expires_at->c_str() : "-",
                k.revoked_at ? "revoked" : "active");
  }
  return 0;
}

int keys_revoke(const CommandLine& cl, gateway::TenancyAdmin& admin) {
  if (cl.words.size() != 3) return usage_failure(kKeysUsage);
  const std::string& text = cl.words[2];
  char* end = nullptr;
  const long long id = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || id <= 0) return usage_failure("KEY_ID must be a key id");
  if (Status st = admin.revoke_key(cli_actor(), id); !st.ok()) return fail(st.error());
  std::printf("revoked key %lld\n", id);
  return 0;
}

}  // namespace

int run_tenants(const CommandLine& cl) {
  if (cl.words.size() < 2) return usage_failure(kTenantsUsage);
  if (std::string bad = unknown_cli_option(cl, {"tags", "json"}); !bad.empty()) {
    return usage_failure(bad);
  }
  const std::string& sub = cl.words[1];
  if (sub != "create" && sub != "list" && sub != "disable") return usage_failure(kTenantsUsage);
  Result<std::unique_ptr<store::Store>> store = open_cli_store(cl);
  if (!store) return fail(store.error());
  gateway::TenancyAdmin admin(**store, nullptr);
  int rc = 0;
  if (sub == "create") rc = tenants_create(cl, admin);
  if (sub == "list") rc = tenants_list(cl, **store);
  if (sub == "disable") rc = tenants_disable(cl, admin);
  (void)(*store)->close();
  return rc;
}

int run_keys(const CommandLine& cl) {
  if (cl.words.size() < 2) return usage_failure(kKeysUsage);
  if (std::string bad = unknown_cli_option(cl, {"tenant", "name", "plan", "expires-at", "json"});
      !bad.empty()) {
    return usage_failure(bad);
  }
  const std::string& sub = cl.words[1];
  if (sub != "create" && sub != "list" && sub != "revoke") return usage_failure(kKeysUsage);
  Result<std::unique_ptr<store::Store>> store = open_cli_store(cl);
  if (!store) return fail(store.error());
  gateway::TenancyAdmin admin(**store, nullptr);
  int rc = 0;
  if (sub == "create") rc = keys_create(cl, admin);
  if (sub == "list") rc = keys_list(cl, admin, **store);
  if (sub == "revoke") rc = keys_revoke(cl, admin);
  (void)(*store)->close();
  return rc;
}

int run_audit(const CommandLine& cl) {
  if (cl.words.size() != 2 || cl.words[1] != "verify") return usage_failure(kAuditUsage);
  if (std::string bad = unknown_cli_option(cl, {"anchor"}); !bad.empty()) {
    return usage_failure(bad);
  }
  Result<std::unique_ptr<store::Store>> store = open_cli_store(cl);
  if (!store) return fail(store.error());
  const std::string* anchor = cli_option(cl, "anchor");
  Result<gateway::AuditVerified> verified = gateway::verify_audit_log(
      **store, anchor ? std::optional<std::string>(*anchor) : std::nullopt);
  (void)(*store)->close();
  if (!verified) {
    std::printf("FAILED: %s\n", verified.error().message.c_str());
    return 1;
  }
  std::printf("ok: %lld entries\n", static_cast<long long>(verified->entries));
  if (!verified->last_anchor.empty()) std::printf("anchor: %s\n", verified->last_anchor.c_str());
  return 0;
}

}  // namespace osprey::app
