// Authentication through the real binary: the admin key printed once on the first start, 401s
// for missing and bad keys (never echoing them), open operational routes, admin-only /admin/*,
// revocation and expiry, tenant isolation of usage, and `osprey audit verify` against an edited
// or truncated log.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/http_client.h"
#include "integration/osprey_process.h"
#include "integration/sqlite_shell.h"
#include "support/eventually.h"

namespace osprey::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A model table that needs no upstream for /v1/models (health checks off).
std::string write_models_config(const TempDir& dir) {
  const std::string path = dir.path() + "/osprey.yaml";
  write_file(path,
             "models:\n"
             "  - name: alpha\n"
             "    health: {enabled: false}\n"
             "    deployments:\n"
             "      - {id: alpha@x, adapter: openai, base_url: \"http://127.0.0.1:9\", model: a}\n"
             "  - name: beta\n"
             "    health: {enabled: false}\n"
             "    deployments:\n"
             "      - {id: beta@x, adapter: openai, base_url: \"http://127.0.0.1:9\", model: b}\n");
  return path;
}

HeaderList bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

// "<code>" or, when the message starts with a stable reason, "<code>/<reason>"
// ("unauthorized/invalid_api_key").
std::string code_and_reason(const HttpResponse& r) {
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("error")) return "(no error body: " + r.body + ")";
  std::string code = body["error"]["code"].get<std::string>();
  const std::string message = body["error"]["message"].get<std::string>();
  const auto colon = message.find(": ");
  if (colon != std::string::npos && message.find(' ') > colon)
    code += "/" + message.substr(0, colon);
  return code;
}

class Auth : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = write_models_config(dir_);
    osprey_ =
        OspreyProcess::start({.args = {"--config", config_, "--set", "auth.key_refresh_ms=200"},
                              .data_dir = data_dir()});
    ASSERT_NE(osprey_, nullptr);
    ASSERT_FALSE(osprey_->admin_key().empty()) << osprey_->stdout_text();
  }

  HttpResponse get(const std::string& target, const HeaderList& headers = {}) {
    return http_request(osprey_->port(), "GET", target, "", headers);
  }
  HttpResponse send(const std::string& method, const std::string& target, const json& body,
                    const HeaderList& headers) {
    HeaderList h = headers;
    h.emplace_back("Content-Type", "application/json");
    return http_request(osprey_->port(), method, target, body.dump(), h);
  }

  std::string data_dir() const { return dir_.path() + "/data"; }
  std::string db() const { return data_dir() + "/osprey.db"; }

  // Creates a tenant through the admin API; returns its id.
  std::int64_t create_tenant(const std::string& name, const json& tags = json::object()) {
    HttpResponse r =
        send("POST", "/admin/tenants", {{"name", name}, {"tags", tags}}, osprey_->admin_auth());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["id"].get<std::int64_t>() : 0;
  }
  // Creates a key through the admin API; returns the whole answer (with "key").
  json create_key(std::int64_t tenant, const json& extra = json::object()) {
    HttpResponse r = send("POST", "/admin/tenants/" + std::to_string(tenant) + "/keys", extra,
                          osprey_->admin_auth());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body) : json::object();
  }
  CommandResult cli(std::vector<std::string> args) {
    args.insert(args.end(), {"--data-dir", data_dir()});
    return run_osprey(args);
  }

  TempDir dir_;
  std::string config_;
  std::unique_ptr<OspreyProcess> osprey_;
};

TEST_F(Auth, AdminKeyIsPrintedOnceBeforeTheListeningLineAndNeverLogged) {
  const std::string key = osprey_->admin_key();
  EXPECT_EQ(key.rfind("osp_", 0), 0u) << key;
  const std::string out = osprey_->stdout_text();
  EXPECT_LT(out.find(kAdminKeyMarker), out.find("osprey listening on"));
  EXPECT_EQ(osprey_->stderr_text().find(key), std::string::npos) << "the key reached the log";

  osprey_->signal(SIGTERM);
  ASSERT_EQ(osprey_->wait_exit(20s), 0);
  auto again = OspreyProcess::start({.args = {"--config", config_}, .data_dir = data_dir()});
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->admin_key().empty()) << again->stdout_text();
  EXPECT_EQ(again->stdout_text().find(kAdminKeyMarker), std::string::npos);
  // The key from the first start still works.
  EXPECT_EQ(http_request(again->port(), "GET", "/v1/models", "", bearer(key)).status, 200);
}

TEST_F(Auth, MissingAndBadKeysAre401WithoutEchoingTheKey) {
  HttpResponse missing = get("/v1/models");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(code_and_reason(missing), "unauthorized/missing_api_key");
  EXPECT_EQ(missing.header("www-authenticate"), "Bearer");

  const std::string bogus = "osp_ThisKeyDoesNotExist0123456789abcdefghijklm";
  for (const HeaderList& h : {bearer(bogus), HeaderList{{"x-api-key", bogus}}}) {
    HttpResponse bad = get("/v1/models", h);
    EXPECT_EQ(bad.status, 401);
    EXPECT_EQ(code_and_reason(bad), "unauthorized/invalid_api_key");
    EXPECT_EQ(bad.body.find(bogus), std::string::npos);
    EXPECT_EQ(bad.body.find("osp_ThisKey"), std::string::npos);
    EXPECT_EQ(json::parse(bad.body)["error"]["type"], "authentication_error");
  }
  HttpResponse chat =
      send("POST", "/v1/chat/completions", {{"model", "alpha"}, {"messages", json::array()}}, {});
  EXPECT_EQ(chat.status, 401);
  EXPECT_EQ(send("POST", "/admin/reload", json::object(), bearer(bogus)).status, 401);
}

TEST_F(Auth, OperationalRoutesStayOpen) {
  for (const char* route : {"/healthz", "/readyz", "/version", "/metrics"}) {
    EXPECT_EQ(get(route).status, 200) << route;
  }
}

TEST_F(Auth, AdminKeyReachesV1AndAdmin) {
  HttpResponse models = get("/v1/models", osprey_->admin_auth());
  ASSERT_EQ(models.status, 200) << models.body;
  EXPECT_EQ(json::parse(models.body)["data"].size(), 2u);
  HttpResponse reload = send("POST", "/admin/reload", json::object(), osprey_->admin_auth());
  EXPECT_EQ(reload.status, 200) << reload.body;
}

TEST_F(Auth, TenantKeyIsForbiddenOnAdminAndLimitedToItsModels) {
  const std::int64_t acme = create_tenant("acme", {{"team", "search"}});
  const json key = create_key(acme, {{"name", "ci"}, {"plan", {{"allowed_models", {"beta"}}}}});
  const std::string secret = key.value("key", "");
  ASSERT_EQ(secret.rfind("osp_", 0), 0u) << key.dump();
  EXPECT_EQ(key["prefix"], secret.substr(0, 12));
  EXPECT_EQ(key["plan"]["allowed_models"], json::array({"beta"}));

  for (const char* route : {"/admin/tenants", "/admin/usage", "/admin/audit"}) {
    HttpResponse r = get(route, bearer(secret));
    EXPECT_EQ(r.status, 403) << route;
    EXPECT_EQ(code_and_reason(r), "forbidden/admin_key_required") << route;
  }
  EXPECT_EQ(send("POST", "/admin/reload", json::object(), bearer(secret)).status, 403);

  HttpResponse models = get("/v1/models", {{"x-api-key", secret}});
  ASSERT_EQ(models.status, 200);
  ASSERT_EQ(json::parse(models.body)["data"].size(), 1u);
  EXPECT_EQ(json::parse(models.body)["data"][0]["id"], "beta");
  HttpResponse chat = send(
      "POST", "/v1/chat/completions",
      {{"model", "alpha"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}, bearer(secret));
  EXPECT_EQ(chat.status, 403);
  EXPECT_EQ(code_and_reason(chat), "forbidden/model_not_allowed");

  // Listings never show the secret or its hash.
  HttpResponse keys = get("/admin/tenants/acme/keys", osprey_->admin_auth());
  ASSERT_EQ(keys.status, 200);
  EXPECT_EQ(keys.body.find(secret), std::string::npos);
  EXPECT_EQ(keys.body.find("hash"), std::string::npos);
  EXPECT_EQ(json::parse(keys.body)["data"].size(), 1u);
}

TEST_F(Auth, RevokedKeyIsRefusedAtOnceOnThisNode) {
  const json key = create_key(create_tenant("acme"));
  const std::string secret = key.value("key", "");
  ASSERT_EQ(get("/v1/models", bearer(secret)).status, 200);
  HttpResponse revoked =
      send("POST", "/admin/keys/" + std::to_string(key["id"].get<int>()) + "/revoke",
           json::object(), osprey_->admin_auth());
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  HttpResponse r = get("/v1/models", bearer(secret));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_and_reason(r), "unauthorized/invalid_api_key");
  EXPECT_NE(r.body.find("revoked"), std::string::npos) << r.body;
}

TEST_F(Auth, RevocationByTheCliReachesTheRunningServerWithinTheRefreshBound) {
  ASSERT_EQ(cli({"tenants", "create", "ops"}).exit_code, 0);
  CommandResult created = cli({"keys", "create", "--tenant", "ops", "--name", "robot"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string marker = "osprey key (shown once): ";
  const auto at = created.out.find(marker);
  ASSERT_NE(at, std::string::npos) << created.out;
  const std::string secret =
      created.out.substr(at + marker.size(), created.out.find('\n', at) - at - marker.size());
  // A key made on another "replica" (the CLI) works here after at most one refresh.
  ASSERT_TRUE(eventually([&] { return get("/v1/models", bearer(secret)).status == 200; }));
  const std::string id =
      created.out.substr(std::string("created key ").size(), created.out.find(' ', 12) - 12);
  ASSERT_EQ(cli({"keys", "revoke", id}).exit_code, 0);
  const auto revoked_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return get("/v1/models", bearer(secret)).status == 401; }));
  // auth.key_refresh_ms=200 here: generous margin for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, 5s);
}

TEST_F(Auth, ExpiredKeysAndDisabledTenantsAreRefused) {
  const std::int64_t acme = create_tenant("acme");
  const json past = create_key(acme, {{"expires_at", "2020-01-01T00:00:00Z"}});
  HttpResponse expired = get("/v1/models", bearer(past.value("key", "")));
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;

  // One that expires while the server holds it in its cache.
  const auto soon = std::chrono::system_clock::now() + 3s;
  const std::time_t t = std::chrono::system_clock::to_time_t(soon);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  const json later = create_key(acme, {{"expires_at", text}});
  const std::string secret = later.value("key", "");
  EXPECT_EQ(get("/v1/models", bearer(secret)).status, 200);
  EXPECT_TRUE(eventually([&] { return get("/v1/models", bearer(secret)).status == 401; }));

  const json live = create_key(acme);
  ASSERT_EQ(get("/v1/models", bearer(live.value("key", ""))).status, 200);
  ASSERT_EQ(
      send("POST", "/admin/tenants/acme/disable", json::object(), osprey_->admin_auth()).status,
      200);
  HttpResponse disabled = get("/v1/models", bearer(live.value("key", "")));
  EXPECT_EQ(disabled.status, 401);
  EXPECT_NE(disabled.body.find("disabled"), std::string::npos) << disabled.body;
  // The admin tenant cannot be disabled.
  EXPECT_EQ(
      send("POST", "/admin/tenants/admin/disable", json::object(), osprey_->admin_auth()).status,
      409);
}

TEST_F(Auth, OneTenantCannotReadAnothersUsage) {
  const std::int64_t a = create_tenant("tenant-a", {{"team", "red"}});
  const std::int64_t b = create_tenant("tenant-b", {{"team", "blue"}});
  const std::string key_a = create_key(a).value("key", "");
  sqlite_query(db(),
               "INSERT INTO usage_daily (day, tenant_id, model, requests, tokens_in, tokens_out, "
               "cost_micros, cache_hits) VALUES ('2026-11-01', " +
                   std::to_string(a) + ", 'alpha', 3, 30, 60, 300, 0), ('2026-11-01', " +
                   std::to_string(b) + ", 'beta', 7, 70, 140, 700, 1)");

  HttpResponse own = get("/v1/usage?group_by=model", bearer(key_a));
  ASSERT_EQ(own.status, 200) << own.body;
  const json own_body = json::parse(own.body);
  ASSERT_EQ(own_body["data"].size(), 1u) << own.body;
  EXPECT_EQ(own_body["data"][0]["group"], "alpha");
  EXPECT_EQ(own_body["data"][0]["requests"], 3);
  EXPECT_EQ(own.body.find("beta"), std::string::npos);
  HttpResponse by_tenant = get("/v1/usage?group_by=tenant", bearer(key_a));
  ASSERT_EQ(by_tenant.status, 200);
  EXPECT_EQ(json::parse(by_tenant.body)["data"].size(), 1u);
  EXPECT_EQ(by_tenant.body.find("tenant-b"), std::string::npos);

  HttpResponse other = get("/v1/usage?tenant_id=" + std::to_string(b), bearer(key_a));
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.body.find("700"), std::string::npos);
  EXPECT_EQ(get("/admin/usage?tenant_id=" + std::to_string(b), bearer(key_a)).status, 403);

  HttpResponse all = get("/admin/usage?group_by=tag&tag=team", osprey_->admin_auth());
  ASSERT_EQ(all.status, 200) << all.body;
  const json groups = json::parse(all.body)["data"];
  ASSERT_EQ(groups.size(), 2u) << all.body;
  EXPECT_EQ(groups[0]["group"], "blue");
  EXPECT_EQ(groups[0]["cost_micros"], 700);
  HttpResponse only_b =
      get("/admin/usage?group_by=day&tenant_id=" + std::to_string(b), osprey_->admin_auth());
  ASSERT_EQ(only_b.status, 200);
  EXPECT_EQ(json::parse(only_b.body)["data"][0]["requests"], 7);
  EXPECT_EQ(get("/admin/usage?group_by=week", osprey_->admin_auth()).status, 400);
}

TEST_F(Auth, AuditVerifyPassesUntouchedAndNamesAnEditedOrDeletedEntry) {
  const std::int64_t acme = create_tenant("acme");
  create_key(acme);
  ASSERT_EQ(send("POST", "/admin/reload", json::object(), osprey_->admin_auth()).status, 200);
  get("/v1/models", bearer("osp_wrongwrongwrongwrongwrongwrongwrongwrongwro"));
  // Admin actions are appended at once; the refused key and the reload through the queue.
  ASSERT_TRUE(eventually([&] {
    HttpResponse r = get("/admin/audit?limit=100", osprey_->admin_auth());
    return r.status == 200 && r.body.find("key.auth_failed") != std::string::npos &&
           r.body.find("config.reload") != std::string::npos;
  }));
  const json entries = json::parse(get("/admin/audit", osprey_->admin_auth()).body)["data"];
  ASSERT_GE(entries.size(), 4u);
  EXPECT_EQ(entries[0]["action"], "tenant.create");
  EXPECT_EQ(entries[0]["actor"], "key:" + osprey_->admin_key().substr(0, 12));

  CommandResult ok = cli({"audit", "verify"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("ok: " + std::to_string(entries.size()) + " entries"), std::string::npos)
      << ok.out;

  // Delete the newest entry: the chain alone cannot see it, the anchor does.
  sqlite_query(db(), "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)");
  CommandResult truncated = cli({"audit", "verify"});
  EXPECT_EQ(truncated.exit_code, 1) << truncated.out;
  EXPECT_NE(truncated.out.find("audit entry " + std::to_string(entries.size()) + ": missing"),
            std::string::npos)
      << truncated.out;

  sqlite_query(db(), "UPDATE audit_log SET actor = 'key:someone-else' WHERE seq = 2");
  CommandResult edited = cli({"audit", "verify"});
  EXPECT_EQ(edited.exit_code, 1) << edited.out;
  EXPECT_NE(edited.out.find("seq 2"), std::string::npos) << edited.out;
}

}  // namespace
}  // namespace osprey::testing
