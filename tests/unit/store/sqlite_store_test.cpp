// SQLite-specific behaviour beyond the conformance suite: journal mode, checkpoint on close,
// lock contention with another process.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

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

// A ledger batch is one statement after another (16 rows each, bindings kept from step to step
// and cleared when the batch ends): one failing in the middle must leave nothing behind, and
// the next batch must store its own values, none left over from the failed one.
TEST_F(SqliteStoreTest, LedgerBatchFailingInItsSecondStatementStoresNothingAndTheNextIsWhole) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->migrate().ok());
  ASSERT_TRUE(db_->query("CREATE TRIGGER refuse BEFORE INSERT ON usage_ledger WHEN NEW.key_id = "
                         "20 BEGIN SELECT RAISE(ABORT, 'refused'); END")
                  .ok());
  const auto batch = [](int first_key) {
    std::vector<UsageRecord> rows;
    for (int i = 0; i < 40; ++i) {
      UsageRecord r;
      const int key = first_key + i;
      // Both accepted forms of the time, so normalised timestamps are bound too.
      r.at = "2026-11-05T10:00:" + std::to_string(10 + i) + (i % 2 ? "Z" : ".125Z");
      r.tenant_id = 1;
      r.key_id = key;
      r.model = "model-" + std::to_string(key);
      r.deployment = "dep-" + std::to_string(key);
      r.tokens_in = key;
      r.status = 200;
      rows.push_back(r);
    }
    return rows;
  };
  const Status failed = store->append_usage(batch(0));  // key 20: row 5 of the 2nd statement
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), ErrorCode::kStoreError);
  EXPECT_EQ(db_->query("SELECT count(*) FROM usage_ledger").value_or("?"), "0");
  EXPECT_EQ(db_->query("SELECT count(*) FROM usage_daily").value_or("?"), "0");

  ASSERT_TRUE(db_->query("DROP TRIGGER refuse").ok());
  const Status stored = store->append_usage(batch(100));
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(db_->query("SELECT count(*) FROM usage_ledger").value_or("?"), "40");
  const std::string mismatched =
      "SELECT count(*) FROM usage_ledger WHERE model <> 'model-' || key_id OR deployment <> "
      "'dep-' || key_id OR tokens_in <> key_id OR at <> '2026-11-05T10:00:' || (key_id - 90) || "
      "CASE key_id % 2 WHEN 1 THEN '.000Z' ELSE '.125Z' END OR key_id NOT BETWEEN 100 AND 139";
  EXPECT_EQ(db_->query(mismatched).value_or("?"), "0");
  EXPECT_EQ(db_->query("SELECT count(DISTINCT key_id) FROM usage_ledger").value_or("?"), "40");
}

}  // namespace
}  // namespace osprey::store
