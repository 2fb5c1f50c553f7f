#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "unit/store/sqlite_test_database.h"

namespace osprey::store {
namespace {

Result<std::unique_ptr<Store>> open_url(const std::string& url) {
  StoreOptions options;
  options.url = url;
  return open_store(options);
}

TEST(OpenStore, UnknownSchemeIsConfigInvalidNamingTheSchemeButNotThePassword) {
  auto store = open_url("mysql://admin:hunter2@db.local/osprey");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.code(), ErrorCode::kConfigInvalid);
  EXPECT_NE(store.error().message.find("'mysql'"), std::string::npos) << store.error().message;
  EXPECT_EQ(store.error().message.find("hunter2"), std::string::npos) << store.error().message;
}

TEST(OpenStore, EmptyUrlIsConfigInvalid) {
  auto store = open_url("");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.code(), ErrorCode::kConfigInvalid);
}

TEST(OpenStore, SqliteWithoutPathIsConfigInvalid) {
  auto store = open_url("sqlite:");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.code(), ErrorCode::kConfigInvalid);
}

TEST(OpenStore, NonPositivePoolSizeIsConfigInvalid) {
  StoreOptions options;
  options.url = "sqlite::memory:";
  options.pool_size = 0;
  auto store = open_store(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.code(), ErrorCode::kConfigInvalid);
  EXPECT_NE(store.error().message.find("pool_size"), std::string::npos);
}

TEST(OpenStore, SqliteCreatesMissingParentDirectories) {
  const std::string dir = testing::make_temp_directory("osprey-open-");
  ASSERT_FALSE(dir.empty());
  const std::string path = dir + "/nested/data/osprey.db";
  auto store = open_url("sqlite:" + path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->backend(), "sqlite");
  EXPECT_TRUE((*store)->migrate().ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE((*store)->close().ok());
  std::filesystem::remove_all(dir);
}

TEST(OpenStore, SqliteTripleSlashFormIsAnAbsolutePath) {
  const std::string dir = testing::make_temp_directory("osprey-open-");
  ASSERT_FALSE(dir.empty());
  auto store = open_url("sqlite://" + dir + "/osprey.db");
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_TRUE((*store)->close().ok());
  EXPECT_TRUE(std::filesystem::exists(dir + "/osprey.db"));
  std::filesystem::remove_all(dir);
}

TEST(OpenStore, SqliteOpenFailureNamesThePath) {
  // A directory cannot be created below a regular file.
  auto store = open_url("sqlite:/dev/null/osprey/osprey.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.code(), ErrorCode::kStoreError);
  EXPECT_NE(store.error().message.find("/dev/null/osprey"), std::string::npos)
      << store.error().message;
}

TEST(OpenStore, SqliteInMemoryDatabaseWorks) {
  auto store = open_url("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE((*store)->migrate().ok());
  ASSERT_TRUE((*store)->put_setting("k", "v").ok());
  auto value = (*store)->get_setting("k");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->value_or(""), "v");
  EXPECT_TRUE((*store)->close().ok());
}

TEST(OpenStore, PostgresConnectFailureIsStoreErrorWithoutThePassword) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  for (const char* url : {"postgresql://osprey:hunter2@127.0.0.1:1/osprey",
                          "postgres://osprey@127.0.0.1:1/osprey?password=hunter2"}) {
    auto store = open_url(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_EQ(store.code(), ErrorCode::kStoreError);
    EXPECT_EQ(store.error().message.find("hunter2"), std::string::npos) << store.error().message;
    EXPECT_NE(store.error().message.find("127.0.0.1"), std::string::npos) << store.error().message;
  }
}

}  // namespace
}  // namespace osprey::store
