// SQLite-specific behaviour beyond the conformance suite: journal mode, checkpoint on close,
// lock contention with another process.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "store/store.h"
#include "unit/store/sqlite_test_database.h"

namespace osprey::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::SqliteTestDatabase::create();
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }

  std::unique_ptr<Store> open(int busy_timeout_ms = 5000) {
    StoreOptions options = db_->options();
    options.busy_timeout_ms = busy_timeout_ms;
    auto store = open_store(options);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }

  const std::string& path() const { return static_cast<testing::SqliteTestDatabase&>(*db_).path(); }

  std::unique_ptr<testing::TestDatabase> db_;
};

TEST_F(SqliteStoreTest, DatabaseIsInWalJournalMode) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->migrate().ok());
  auto mode = db_->query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok()) << mode.error().message;
  EXPECT_EQ(*mode, "wal");
}

TEST_F(SqliteStoreTest, CloseFoldsTheWalIntoTheMainFile) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->migrate().ok());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        store->put_setting(std::string("k").append(std::to_string(i)), std::string(1000, 'v'))
            .ok());
  }
  const std::string wal = path() + "-wal";
  ASSERT_TRUE(std::filesystem::exists(wal));
  EXPECT_GT(std::filesystem::file_size(wal), 0u);
  ASSERT_TRUE(store->close().ok());
  EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0u);
}

TEST_F(SqliteStoreTest, WriteLockedByAnotherProcessFailsAfterBusyTimeoutThenRecovers) {
  auto store = open(/*busy_timeout_ms=*/50);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->migrate().ok());

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Status blocked = store->put_setting("k", "v");
  EXPECT_EQ(blocked.code(), ErrorCode::kStoreError);
  // Readers are not blocked by a writer in WAL mode.
  EXPECT_TRUE(store->get_setting("k").ok());
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);

  EXPECT_TRUE(store->put_setting("k", "v").ok());
  auto value = store->get_setting("k");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->value_or(""), "v");
}

}  // namespace
}  // namespace osprey::store
