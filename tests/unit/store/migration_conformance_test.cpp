// Migrations part of the Store conformance suite.
#include <thread>

#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

int latest(const Store& store) { return store.migrations().back().version; }

TEST_P(StoreConformanceTest, EmptyDatabaseHasSchemaVersionZero) {
  auto version = store_->schema_version();
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, 0);
}

TEST_P(StoreConformanceTest, MigrateOnEmptyDatabaseReachesLatestVersion) {
  migrate();
  auto version = store_->schema_version();
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, latest(*store_));
  auto recorded = db_->query("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(recorded.ok()) << recorded.error().message;
  EXPECT_EQ(*recorded, std::to_string(store_->migrations().size()));
}

TEST_P(StoreConformanceTest, MigratingTwiceIsANoOp) {
  migrate();
  ASSERT_TRUE(store_->put_setting("kept", "yes").ok());
  migrate();
  auto version = store_->schema_version();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, latest(*store_));
  auto recorded = db_->query("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(recorded.ok()) << recorded.error().message;
  EXPECT_EQ(*recorded, std::to_string(store_->migrations().size()));
  auto kept = store_->get_setting("kept");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->value_or("<absent>"), "yes");
}

TEST_P(StoreConformanceTest, MigrationListIsOrderedFromOneWithoutGaps) {
  const std::vector<MigrationInfo> list = store_->migrations();
  ASSERT_FALSE(list.empty());
  for (std::size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(list[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(list[i].name.empty());
  }
  EXPECT_EQ(list.front().name, "create_settings");
}

TEST_P(StoreConformanceTest, RecordsEachMigrationByVersionAndName) {
  migrate();
  for (const MigrationInfo& m : store_->migrations()) {
    auto name = db_->query("SELECT name FROM schema_migrations WHERE version = " +
                           std::to_string(m.version));
    ASSERT_TRUE(name.ok()) << name.error().message;
    EXPECT_EQ(*name, m.name);
  }
}

TEST_P(StoreConformanceTest, ConcurrentMigrationsFromSeveralStoresApplyEachStepOnce) {
  constexpr int kStores = 4;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kStores; ++i) {
    stores.push_back(open_another(1));
    ASSERT_NE(stores.back(), nullptr);
  }
  std::vector<Status> results(kStores);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] { results[i] = stores[i]->migrate(); });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.error().message;
  auto recorded = db_->query("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(recorded.ok()) << recorded.error().message;
  EXPECT_EQ(*recorded, std::to_string(store_->migrations().size()));
  for (auto& s : stores) EXPECT_TRUE(s->close().ok());
}

TEST_P(StoreConformanceTest, DatabaseFromNewerBinaryIsRejectedWithClearMessage) {
  migrate();
  ASSERT_TRUE(
      db_->query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')")
          .ok());
  Status migrated = store_->migrate();
  ASSERT_FALSE(migrated.ok());
  EXPECT_EQ(migrated.code(), ErrorCode::kStoreError);
  EXPECT_EQ(migrated.error().message, "database schema version 999 is newer than this binary (" +
                                          std::to_string(latest(*store_)) + "); upgrade osprey");
}

TEST_P(StoreConformanceTest, SettingsCallsBeforeMigrateFailWithStoreError) {
  EXPECT_EQ(store_->get_setting("k").code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->put_setting("k", "v").code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->list_settings("").code(), ErrorCode::kStoreError);
}

}  // namespace
}  // namespace osprey::store::testing
