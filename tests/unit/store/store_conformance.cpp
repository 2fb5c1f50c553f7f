#include "unit/store/store_conformance.h"

#include "unit/store/pg_test_database.h"
#include "unit/store/sqlite_test_database.h"

namespace osprey::store::testing {

std::vector<StoreBackend> store_backends() {
  return {
      StoreBackend{"sqlite", &SqliteTestDatabase::create},
      StoreBackend{"postgres", &PgTestDatabase::create},
  };
}

void StoreConformanceTest::SetUp() {
  auto db = GetParam().create_database();
  ASSERT_TRUE(db.ok()) << "cannot create a " << GetParam().name
                       << " test database: " << db.error().message;
  db_ = std::move(*db);
  store_ = open_another();
}

void StoreConformanceTest::TearDown() {
  if (store_) {
    EXPECT_TRUE(store_->close().ok());
  }
  store_.reset();
  db_.reset();
}

std::unique_ptr<Store> StoreConformanceTest::open_another(int pool_size) {
  StoreOptions options = db_->options();
  options.pool_size = pool_size;
  auto store = open_store(options);
  EXPECT_TRUE(store.ok()) << "open_store(" << options.url << "): " << store.error().message;
  return store.ok() ? std::move(*store) : nullptr;
}

void StoreConformanceTest::migrate() {
  ASSERT_NE(store_, nullptr);
  Status migrated = store_->migrate();
  ASSERT_TRUE(migrated.ok()) << migrated.error().message;
}

}  // namespace osprey::store::testing
