// PostgreSQL-specific behaviour beyond the conformance suite: recovery of broken connections.
#include <gtest/gtest.h>

#include "store/store.h"
#include "unit/store/pg_test_database.h"

namespace osprey::store {
namespace {

TEST(PostgresStore, ConnectionKilledByTheServerIsReplacedOnNextUse) {
  auto db = testing::PgTestDatabase::create();
  ASSERT_TRUE(db.ok()) << db.error().message;
  StoreOptions options = (*db)->options();
  options.pool_size = 1;
  auto store = open_store(options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE((*store)->migrate().ok());
  ASSERT_TRUE((*store)->put_setting("k", "v").ok());

  // Terminate every other session on this database: that is the store's one connection.
  auto killed = (*db)->query(
      "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  ASSERT_EQ(*killed, "1");

  // The call that discovers the dead connection fails cleanly; the next one reconnects.
  Status discovered = (*store)->ping();
  if (!discovered.ok()) {
    EXPECT_EQ(discovered.code(), ErrorCode::kStoreError);
  }
  auto value = (*store)->get_setting("k");
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(value->value_or(""), "v");
  EXPECT_TRUE((*store)->close().ok());
}

TEST(PostgresStore, WrongDatabaseNameIsStoreErrorNamingIt) {
  auto db = testing::PgTestDatabase::create();
  ASSERT_TRUE(db.ok()) << db.error().message;
  StoreOptions options = (*db)->options();
  options.url = options.url.substr(0, options.url.rfind('/')) + "/no_such_db_here";
  auto store = open_store(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.code(), ErrorCode::kStoreError);
  EXPECT_NE(store.error().message.find("no_such_db_here"), std::string::npos)
      << store.error().message;
}

}  // namespace
}  // namespace osprey::store
