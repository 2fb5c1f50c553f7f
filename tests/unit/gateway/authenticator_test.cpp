// The authentication stage: where the key is read from, what each kind of refused key answers,
// that the answer never echoes the key, and that refusals reach the audit log coalesced.
#include "gateway/auth/authenticator.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "core/api_key.h"
#include "net/worker_pool.h"
#include "unit/gateway/temp_sqlite_store.h"

namespace osprey::gateway {
namespace {

using namespace std::chrono_literals;

net::Request request_with(std::vector<std::pair<std::string, std::string>> headers) {
  net::Request r;
  r.method = "GET";
  r.path = "/v1/models";
  r.route = "/v1/models";
  r.remote_addr = "10.1.2.3:4567";
  for (auto& [name, value] : headers) r.headers.add(name, value);
  return r;
}

KeyLookup cached_key(std::function<void(CachedKey&)> edit = {}) {
  auto key = std::make_shared<CachedKey>();
  key->record.key.id = 7;
  key->record.key.prefix = "osp_abcdefgh";
  key->record.tenant.id = 3;
  key->record.tenant.name = "acme";
  key->record.tenant.tags_json = R"({"team":"qa"})";
  key->plan.allowed_models = {"m"};
  if (edit) edit(*key);
  return key;
}

TEST(PresentedApiKey, ReadsBearerThenXApiKey) {
  EXPECT_EQ(presented_api_key(request_with({{"Authorization", "Bearer osp_1"}})), "osp_1");
  EXPECT_EQ(presented_api_key(request_with({{"Authorization", "bearer   osp_2  "}})), "osp_2");
  EXPECT_EQ(presented_api_key(request_with({{"x-api-key", "osp_3"}})), "osp_3");
  EXPECT_EQ(
      presented_api_key(request_with({{"Authorization", "Bearer osp_4"}, {"x-api-key", "osp_5"}})),
      "osp_4");
  EXPECT_EQ(presented_api_key(request_with({{"Authorization", "Basic abc"}, {"X-Api-Key", "k"}})),
            "k");
  EXPECT_FALSE(presented_api_key(request_with({})).has_value());
  EXPECT_FALSE(presented_api_key(request_with({{"Authorization", "Bearer "}})).has_value());
}

TEST(DecideKey, ValidKeyBecomesAPrincipal) {
  Result<Principal> p = decide_key(cached_key(), std::chrono::system_clock::now());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->tenant_id, 3);
  EXPECT_EQ(p->tenant_name, "acme");
  EXPECT_EQ(p->tenant_tags_json, R"({"team":"qa"})");
  EXPECT_EQ(p->key_id, 7);
  EXPECT_EQ(p->key_prefix, "osp_abcdefgh");
  EXPECT_FALSE(p->admin);
  EXPECT_EQ(p->plan.allowed_models, (std::vector<std::string>{"m"}));
}

TEST(DecideKey, EachRefusalIs401InvalidApiKeySayingWhy) {
  const auto now = std::chrono::system_clock::now();
  struct Case {
    KeyLookup key;
    std::string reason;
    std::string says;
  };
  const std::vector<Case> cases = {
      {nullptr, "unknown", "no such key"},
      {cached_key([](CachedKey& k) { k.record.key.revoked_at = "2026-01-01T00:00:00.000Z"; }),
       "revoked", "revoked"},
      {cached_key([](CachedKey& k) { k.record.key.expires_at = "2000-01-01T00:00:00.000Z"; }),
       "expired", "expired"},
      {cached_key([](CachedKey& k) { k.record.tenant.disabled = true; }), "tenant_disabled",
       "tenant is disabled"},
      {cached_key([](CachedKey& k) {
         k.plan_valid = false;
         k.plan_error = "plan.burst: must be a number >= 0";
       }),
       "bad_plan", "plan.burst"},
  };
  for (const Case& c : cases) {
    std::string reason;
    Result<Principal> p = decide_key(c.key, now, &reason);
    ASSERT_FALSE(p.ok()) << c.reason;
    EXPECT_EQ(p.error().code, ErrorCode::kUnauthorized);
    EXPECT_EQ(p.error().message.rfind("invalid_api_key: ", 0), 0u) << p.error().message;
    EXPECT_EQ(reason, c.reason);
    EXPECT_NE(p.error().message.find(c.says), std::string::npos) << p.error().message;
  }
  // A key that expires in the future is fine.
  EXPECT_TRUE(decide_key(cached_key([](CachedKey& k) {
                           k.record.key.expires_at = "2999-01-01T00:00:00.000Z";
                         }),
                         now)
                  .ok());
}

TEST(CheckModelAllowed, ForbidsModelsOutsideThePlan) {
  Principal p;
  EXPECT_TRUE(check_model_allowed(p, "anything").ok());
  p.plan.allowed_models = {"m"};
  EXPECT_TRUE(check_model_allowed(p, "m").ok());
  Status denied = check_model_allowed(p, "other");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(denied.error().message.rfind("model_not_allowed: ", 0), 0u);
  EXPECT_EQ(http_status(denied.error().code), 403);
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  Result<Principal> authenticate(const net::Request& request) {
    std::optional<Result<Principal>> out;
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io, [&]() -> net::Task<void> { out.emplace(co_await auth_.authenticate(request)); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run();
    return std::move(*out);
  }

  testing::TempSqliteStore store_;
  net::WorkerPool workers_{1};
  KeyCache keys_{*store_, system_clock()};
  AuditQueue audit_{*store_};
  Authenticator auth_{keys_, workers_, audit_, system_clock()};
};

TEST_F(AuthenticatorTest, ValidKeyFromEitherHeader) {
  auto tenant = store_->create_tenant("acme", "{}");
  ASSERT_TRUE(tenant.ok());
  auto key = generate_api_key();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(store_
                  ->create_api_key({.tenant_id = tenant->id,
                                    .name = "",
                                    .prefix = key->prefix,
                                    .hash = key->hash,
                                    .plan_json = R"({"max_concurrent":2})",
                                    .expires_at = std::nullopt})
                  .ok());
  Result<Principal> bearer = authenticate(request_with({{"Authorization", "Bearer " + key->key}}));
  ASSERT_TRUE(bearer.ok()) << bearer.error().message;
  EXPECT_EQ(bearer->tenant_name, "acme");
  EXPECT_EQ(bearer->plan.max_concurrent, 2);
  Result<Principal> header = authenticate(request_with({{"x-api-key", key->key}}));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->key_prefix, key->prefix);
}

TEST_F(AuthenticatorTest, MissingKeyIsUnauthorized) {
  Result<Principal> p = authenticate(request_with({}));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(p.error().message.rfind("missing_api_key: ", 0), 0u);
  EXPECT_EQ(http_status(p.error().code), 401);
}

TEST_F(AuthenticatorTest, UnknownKeysAreRefusedWithoutEchoAndAuditedOnceForAFlood) {
  auto key = generate_api_key();
  ASSERT_TRUE(key.ok());
  for (int i = 0; i < 20; ++i) {
    Result<Principal> p = authenticate(request_with({{"Authorization", "Bearer " + key->key}}));
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, ErrorCode::kUnauthorized);
    EXPECT_EQ(p.error().message.find(key->key), std::string::npos);
    EXPECT_EQ(p.error().message.find(key->prefix), std::string::npos);
  }
  // A secret that is not an Osprey key must not reach the audit log at all.
  ASSERT_FALSE(authenticate(request_with({{"x-api-key", "sk-live-secret"}})).ok());
  ASSERT_TRUE(audit_.flush().ok());
  auto entries = store_->list_audit(1, 100);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  const AuditEntry& flood = (*entries)[0];
  EXPECT_EQ(flood.action, "key.auth_failed");
  EXPECT_EQ(flood.actor, "key:" + key->prefix);
  const auto detail = nlohmann::json::parse(flood.detail_json);
  EXPECT_EQ(detail["count"], 20);
  EXPECT_EQ(detail["reason"], "unknown");
  EXPECT_EQ(detail["remote"], "10.1.2.3");
  EXPECT_EQ((*entries)[1].actor, "anonymous");
  for (const AuditEntry& e : *entries) {
    EXPECT_EQ(e.detail_json.find("sk-live-secret"), std::string::npos);
    EXPECT_EQ(e.detail_json.find(key->key), std::string::npos);
  }
}

}  // namespace
}  // namespace osprey::gateway
