// KeyCache over a real SQLite store: misses load from the store, negative entries expire, and a
// change made through the store (as another replica would) reaches a second cache on the next
// refresh, and through the poll thread within the refresh interval.
#include "gateway/auth/key_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/api_key.h"
#include "gateway/auth/admin_bootstrap.h"
#include "unit/gateway/temp_sqlite_store.h"

namespace osprey::gateway {
namespace {

using namespace std::chrono_literals;

struct MadeKey {
  std::string key;
  std::string hash;
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
};

MadeKey make_key(store::Store& store, const std::string& tenant_name,
                 const std::string& plan_json = "{}") {
  MadeKey out;
  auto tenant = store.create_tenant(tenant_name, "{}");
  EXPECT_TRUE(tenant.ok());
  out.tenant_id = tenant->id;
  auto key = generate_api_key();
  EXPECT_TRUE(key.ok());
  out.key = key->key;
  out.hash = key->hash;
  auto info = store.create_api_key({.tenant_id = tenant->id,
                                    .name = "t",
                                    .prefix = key->prefix,
                                    .hash = key->hash,
                                    .plan_json = plan_json,
                                    .expires_at = std::nullopt});
  EXPECT_TRUE(info.ok());
  out.id = info->id;
  return out;
}

class KeyCacheTest : public ::testing::Test {
 protected:
  testing::TempSqliteStore store_;
  ManualClock clock_;
};

TEST_F(KeyCacheTest, MissLoadsFromTheStoreAndHitsAfterwards) {
  MadeKey k = make_key(*store_, "acme", R"({"priority":"low","allowed_models":["m"]})");
  KeyCache cache(*store_, clock_);
  EXPECT_FALSE(cache.peek(k.hash).has_value());
  Result<KeyLookup> loaded = cache.load(k.hash);
  ASSERT_TRUE(loaded.ok());
  ASSERT_NE(*loaded, nullptr);
  EXPECT_EQ((*loaded)->record.tenant.name, "acme");
  EXPECT_TRUE((*loaded)->plan_valid);
  EXPECT_EQ((*loaded)->plan.priority, PriorityClass::kLow);
  EXPECT_FALSE((*loaded)->admin);
  std::optional<KeyLookup> hit = cache.peek(k.hash);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->get(), loaded->get());
}

TEST_F(KeyCacheTest, UnknownKeysAreRememberedOnlyForTheNegativeTtl) {
  KeyCache cache(*store_, clock_, {.negative_ttl = 1000ms});
  const std::string hash = api_key_hash("osp_not-a-real-key");
  Result<KeyLookup> loaded = cache.load(hash);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, nullptr);
  std::optional<KeyLookup> cached = cache.peek(hash);
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(*cached, nullptr);
  clock_.advance(1001ms);
  EXPECT_FALSE(cache.peek(hash).has_value());
}

TEST_F(KeyCacheTest, AKeyCreatedAfterANegativeEntryIsFoundAfterRefresh) {
  KeyCache cache(*store_, clock_, {.negative_ttl = 3600s});
  ASSERT_TRUE(cache.refresh().ok());
  auto key = generate_api_key();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(cache.load(key->hash).ok());
  ASSERT_TRUE(cache.peek(key->hash).has_value());  // negative entry
  auto tenant = store_->create_tenant("late", "{}");
  ASSERT_TRUE(tenant.ok());
  ASSERT_TRUE(store_
                  ->create_api_key({.tenant_id = tenant->id,
                                    .name = "",
                                    .prefix = key->prefix,
                                    .hash = key->hash,
                                    .plan_json = "{}",
                                    .expires_at = std::nullopt})
                  .ok());
  ASSERT_TRUE(cache.refresh().ok());
  EXPECT_FALSE(cache.peek(key->hash).has_value());
  Result<KeyLookup> loaded = cache.load(key->hash);
  ASSERT_TRUE(loaded.ok());
  EXPECT_NE(*loaded, nullptr);
}

TEST_F(KeyCacheTest, RevocationOnOneReplicaReachesAnotherOnItsNextRefresh) {
  MadeKey k = make_key(*store_, "acme");
  KeyCache a(*store_, clock_);
  KeyCache b(*store_, clock_);
  ASSERT_TRUE(a.refresh().ok());
  ASSERT_TRUE(b.refresh().ok());
  ASSERT_TRUE(a.load(k.hash).ok());
  ASSERT_TRUE(b.load(k.hash).ok());

  ASSERT_TRUE(store_->revoke_api_key(k.id).ok());
  ASSERT_TRUE(a.refresh().ok());  // replica A made the change and refreshes at once
  EXPECT_FALSE(a.peek(k.hash).has_value());
  // B has not polled yet: it still serves its cached copy, not revoked.
  std::optional<KeyLookup> stale = b.peek(k.hash);
  ASSERT_TRUE(stale.has_value());
  EXPECT_FALSE((*stale)->record.key.revoked_at.has_value());

  ASSERT_TRUE(b.refresh().ok());
  EXPECT_FALSE(b.peek(k.hash).has_value());
  Result<KeyLookup> reloaded = b.load(k.hash);
  ASSERT_TRUE(reloaded.ok());
  ASSERT_NE(*reloaded, nullptr);
  EXPECT_TRUE((*reloaded)->record.key.revoked_at.has_value());
}

TEST_F(KeyCacheTest, TenantDisableReachesTheOtherReplica) {
  MadeKey k = make_key(*store_, "acme");
  KeyCache b(*store_, clock_);
  ASSERT_TRUE(b.refresh().ok());
  ASSERT_TRUE(b.load(k.hash).ok());
  ASSERT_TRUE(store_->disable_tenant(k.tenant_id).ok());
  ASSERT_TRUE(b.refresh().ok());
  Result<KeyLookup> reloaded = b.load(k.hash);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_TRUE((*reloaded)->record.tenant.disabled);
}

// The bound itself: B's poll thread, with a 100 ms interval, drops the revoked key well within
// a generous multiple of the interval without anybody calling refresh() by hand.
TEST_F(KeyCacheTest, PollThreadAppliesARevocationWithinTheRefreshBound) {
  MadeKey k = make_key(*store_, "acme");
  KeyCache b(*store_, system_clock(), {.refresh_interval = 100ms});
  ASSERT_TRUE(b.refresh().ok());
  ASSERT_TRUE(b.load(k.hash).ok());
  b.start();
  ASSERT_TRUE(store_->revoke_api_key(k.id).ok());
  const auto revoked_at = std::chrono::steady_clock::now();
  while (b.peek(k.hash).has_value() && std::chrono::steady_clock::now() - revoked_at < 10s) {
    std::this_thread::sleep_for(5ms);
  }
  const auto took = std::chrono::steady_clock::now() - revoked_at;
  b.stop();
  EXPECT_FALSE(b.peek(k.hash).has_value());
  EXPECT_LT(took, 2s) << "bound is one 100 ms interval plus the poll itself";
}

TEST_F(KeyCacheTest, AdminTenantKeysAreAdmin) {
  Result<AdminBootstrap> boot = bootstrap_admin(*store_, "2026-11-25T00:00:00.000Z");
  ASSERT_TRUE(boot.ok());
  ASSERT_TRUE(boot->new_key.has_value());
  MadeKey tenant = make_key(*store_, "acme");
  KeyCache cache(*store_, clock_);
  Result<KeyLookup> admin = cache.load(api_key_hash(*boot->new_key));
  ASSERT_TRUE(admin.ok());
  ASSERT_NE(*admin, nullptr);
  EXPECT_TRUE((*admin)->admin);
  Result<KeyLookup> other = cache.load(tenant.hash);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->admin);
}

TEST_F(KeyCacheTest, BootstrapCreatesTheAdminKeyOnce) {
  Result<AdminBootstrap> first = bootstrap_admin(*store_, "2026-11-25T00:00:00.000Z");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->new_key.has_value());
  Result<AdminBootstrap> second = bootstrap_admin(*store_, "2026-11-25T00:00:01.000Z");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->new_key.has_value());
  auto tenants = store_->list_tenants();
  ASSERT_TRUE(tenants.ok());
  ASSERT_EQ(tenants->size(), 1u);
  auto keys = store_->list_api_keys(tenants->front().id);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 1u);
}

TEST_F(KeyCacheTest, AnUnparsablePlanIsCachedAsInvalid) {
  MadeKey k = make_key(*store_, "acme", R"({"burst":-3})");
  KeyCache cache(*store_, clock_);
  Result<KeyLookup> loaded = cache.load(k.hash);
  ASSERT_TRUE(loaded.ok());
  ASSERT_NE(*loaded, nullptr);
  EXPECT_FALSE((*loaded)->plan_valid);
  EXPECT_NE((*loaded)->plan_error.find("plan.burst"), std::string::npos);
}

}  // namespace
}  // namespace osprey::gateway
