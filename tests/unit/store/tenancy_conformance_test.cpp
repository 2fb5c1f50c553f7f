// Tenants and API keys part of the Store conformance suite.
#include <gmock/gmock.h>

#include "core/api_key.h"
#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

using ::testing::HasSubstr;

Tenant make_tenant(Store& store, const std::string& name,
                   const std::string& tags = R"({"team":"search"})") {
  auto tenant = store.create_tenant(name, tags);
  EXPECT_TRUE(tenant.ok()) << tenant.error().message;
  return tenant.ok() ? *tenant : Tenant{};
}

NewApiKey new_key(std::int64_t tenant_id, const std::string& secret) {
  NewApiKey key;
  key.tenant_id = tenant_id;
  key.name = "ci";
  key.prefix = secret.substr(0, 12);
  key.hash = api_key_hash(secret);
  key.plan_json = R"({"rps":5,"burst":10,"models":["llama3"]})";
  return key;
}

TEST_P(StoreConformanceTest, CreatedTenantCanBeReadBackAndListed) {
  migrate();
  const Tenant acme = make_tenant(*store_, "acme", R"({"team":"search","project":"qa"})");
  const Tenant beta = make_tenant(*store_, "beta", "{}");
  EXPECT_GT(acme.id, 0);
  EXPECT_EQ(acme.name, "acme");
  EXPECT_FALSE(acme.disabled);
  EXPECT_EQ(acme.created_at.size(), 24u) << acme.created_at;

  auto got = store_->get_tenant(acme.id);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->name, "acme");
  EXPECT_EQ((*got)->tags_json, R"({"team":"search","project":"qa"})");

  auto all = store_->list_tenants();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, acme.id);
  EXPECT_EQ((*all)[1].id, beta.id);

  auto missing = store_->get_tenant(acme.id + 100);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreConformanceTest, TenantNamesAreUnique) {
  migrate();
  make_tenant(*store_, "acme");
  auto again = store_->create_tenant("acme", "{}");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), ErrorCode::kConflict);
}

TEST_P(StoreConformanceTest, BadTenantInputIsRejectedWithInvalidRequest) {
  migrate();
  EXPECT_EQ(store_->create_tenant("", "{}").code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->create_tenant("x", "not json").code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->create_tenant("x", "[1]").code(), ErrorCode::kInvalidRequest);
  auto numeric = store_->create_tenant("x", R"({"team":5})");
  EXPECT_EQ(numeric.code(), ErrorCode::kInvalidRequest);
  EXPECT_THAT(numeric.error().message, HasSubstr("tags.team"));
  auto none = store_->list_tenants();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformanceTest, TenantTagsUpdateAndUnknownTenantIsNotFound) {
  migrate();
  const Tenant acme = make_tenant(*store_, "acme");
  ASSERT_TRUE(store_->update_tenant_tags(acme.id, R"({"team":"ads"})").ok());
  auto got = store_->get_tenant(acme.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->tags_json, R"({"team":"ads"})");
  EXPECT_EQ(store_->update_tenant_tags(acme.id + 1, "{}").code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->update_tenant_tags(acme.id, "{").code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->disable_tenant(acme.id + 1).code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, KeyIsFoundByHashWithItsTenant) {
  migrate();
  const Tenant acme = make_tenant(*store_, "acme");
  NewApiKey input = new_key(acme.id, "osp_secretone");
  input.expires_at = "2027-01-31T00:00:00Z";
  auto created = store_->create_api_key(input);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->prefix, "osp_secreton");
  EXPECT_EQ(created->expires_at, "2027-01-31T00:00:00.000Z");
  EXPECT_FALSE(created->revoked_at.has_value());

  auto found = store_->find_api_key_by_hash(api_key_hash("osp_secretone"));
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->key.id, created->id);
  EXPECT_EQ((*found)->key.plan_json, input.plan_json);
  EXPECT_EQ((*found)->key.expires_at, "2027-01-31T00:00:00.000Z");
  EXPECT_EQ((*found)->tenant.name, "acme");
  EXPECT_EQ((*found)->tenant.tags_json, R"({"team":"search"})");

  auto absent = store_->find_api_key_by_hash(api_key_hash("osp_secrettwo"));
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

TEST_P(StoreConformanceTest, KeyCreationChecksTenantHashAndInput) {
  migrate();
  const Tenant acme = make_tenant(*store_, "acme");
  EXPECT_EQ(store_->create_api_key(new_key(acme.id + 7, "osp_a")).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->create_api_key(new_key(acme.id, "osp_a")).ok());
  EXPECT_EQ(store_->create_api_key(new_key(acme.id, "osp_a")).code(), ErrorCode::kConflict);
  NewApiKey bad_plan = new_key(acme.id, "osp_b");
  bad_plan.plan_json = "rps=5";
  EXPECT_EQ(store_->create_api_key(bad_plan).code(), ErrorCode::kInvalidRequest);
  NewApiKey bad_expiry = new_key(acme.id, "osp_c");
  bad_expiry.expires_at = "next tuesday";
  EXPECT_EQ(store_->create_api_key(bad_expiry).code(), ErrorCode::kInvalidRequest);
  auto keys = store_->list_api_keys(acme.id);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 1u);
}

TEST_P(StoreConformanceTest, KeysAreListedPerTenant) {
  migrate();
  const Tenant acme = make_tenant(*store_, "acme");
  const Tenant beta = make_tenant(*store_, "beta");
  ASSERT_TRUE(store_->create_api_key(new_key(acme.id, "osp_a1")).ok());
  ASSERT_TRUE(store_->create_api_key(new_key(beta.id, "osp_b1")).ok());
  ASSERT_TRUE(store_->create_api_key(new_key(acme.id, "osp_a2")).ok());
  auto keys = store_->list_api_keys(acme.id);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].prefix, "osp_a1");
  EXPECT_EQ((*keys)[1].prefix, "osp_a2");
  for (const ApiKeyInfo& key : *keys) EXPECT_EQ(key.tenant_id, acme.id);
}

TEST_P(StoreConformanceTest, RevokedKeyShowsRevocationAndKeepsFirstTime) {
  migrate();
  const Tenant acme = make_tenant(*store_, "acme");
  auto key = store_->create_api_key(new_key(acme.id, "osp_r"));
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(store_->revoke_api_key(key->id).ok());
  auto found = store_->find_api_key_by_hash(api_key_hash("osp_r"));
  ASSERT_TRUE(found.ok() && found->has_value());
  ASSERT_TRUE((*found)->key.revoked_at.has_value());
  const std::string first = *(*found)->key.revoked_at;
  EXPECT_GT((*found)->key.version, key->version);
  ASSERT_TRUE(store_->revoke_api_key(key->id).ok());
  auto again = store_->find_api_key_by_hash(api_key_hash("osp_r"));
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->key.revoked_at, first);
  EXPECT_EQ(store_->revoke_api_key(key->id + 100).code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, KeyChangesFeedSeesCreationRevocationAndDisabledTenant) {
  migrate();
  const Tenant acme = make_tenant(*store_, "acme");
  const Tenant beta = make_tenant(*store_, "beta");
  auto k1 = store_->create_api_key(new_key(acme.id, "osp_k1"));
  auto k2 = store_->create_api_key(new_key(acme.id, "osp_k2"));
  auto k3 = store_->create_api_key(new_key(beta.id, "osp_k3"));
  ASSERT_TRUE(k1.ok() && k2.ok() && k3.ok());

  auto all = store_->list_key_changes_since(0, 100);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].hash, api_key_hash("osp_k1"));
  const std::int64_t seen = all->back().key.version;

  // A replica that has seen everything so far is told about exactly the revoked key.
  ASSERT_TRUE(store_->revoke_api_key(k3->id).ok());
  auto revoked = store_->list_key_changes_since(seen, 100);
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(revoked->size(), 1u);
  EXPECT_EQ((*revoked)[0].key.id, k3->id);
  EXPECT_TRUE((*revoked)[0].key.revoked_at.has_value());
  const std::int64_t seen2 = (*revoked)[0].key.version;

  // Disabling a tenant reaches every one of its keys, even when read one page at a time.
  ASSERT_TRUE(store_->disable_tenant(acme.id).ok());
  std::vector<ApiKeyChange> paged;
  std::int64_t cursor = seen2;
  for (int page = 0; page < 5; ++page) {
    auto changes = store_->list_key_changes_since(cursor, 1);
    ASSERT_TRUE(changes.ok());
    if (changes->empty()) break;
    cursor = changes->back().key.version;
    paged.insert(paged.end(), changes->begin(), changes->end());
  }
  ASSERT_EQ(paged.size(), 2u);
  EXPECT_TRUE(paged[0].tenant_disabled);
  EXPECT_TRUE(paged[1].tenant_disabled);
  EXPECT_NE(paged[0].key.id, paged[1].key.id);
  EXPECT_EQ(store_->list_key_changes_since(0, 0).code(), ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace osprey::store::testing
