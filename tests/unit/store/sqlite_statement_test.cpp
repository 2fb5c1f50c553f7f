// SqliteStatement::bind_values, rewind and clear_bindings: what multi-row ledger inserts use.
#include "store/sqlite/sqlite_statement.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_connection.h"

namespace osprey::store {
namespace {

std::unique_ptr<SqliteConnection> memory_db() {
  auto conn = SqliteConnection::open(":memory:", SqliteConnection::Role::kWriter, 1000);
  EXPECT_TRUE(conn.ok()) << conn.error().message;
  return conn.ok() ? std::move(*conn) : nullptr;
}

TEST(SqliteStatementTest, BindValuesBindsIntegersAndTextsInOrderFromTheFirstIndex) {
  auto conn = memory_db();
  ASSERT_NE(conn, nullptr);
  auto stmt = conn->prepare_cached("SELECT ?1, ?2, ?3, ?4, typeof(?3), typeof(?4)");
  ASSERT_TRUE(stmt.ok());
  const std::string text = "bench-model@fake";
  ASSERT_TRUE((*stmt)->bind_int64(1, 7).ok());
  ASSERT_TRUE((*stmt)->bind_values(2, {std::int64_t{-42}, text, std::string_view("9")}).ok());
  ScopedReset reset(**stmt);
  auto row = (*stmt)->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ((*stmt)->column_int64(0), 7);
  EXPECT_EQ((*stmt)->column_int64(1), -42);
  EXPECT_EQ((*stmt)->column_text(2), "bench-model@fake");
  EXPECT_EQ((*stmt)->column_text(3), "9");
  EXPECT_EQ((*stmt)->column_text(4), "text");  // text stays text, never coerced
  EXPECT_EQ((*stmt)->column_text(5), "text");
}

TEST(SqliteStatementTest, BindValuesPastTheLastParameterIsAnError) {
  auto conn = memory_db();
  ASSERT_NE(conn, nullptr);
  auto stmt = conn->prepare_cached("SELECT ?, ?");
  ASSERT_TRUE(stmt.ok());
  ScopedReset reset(**stmt);
  EXPECT_TRUE((*stmt)->bind_values(1, {std::int64_t{1}, std::int64_t{2}}).ok());
  const Status past = (*stmt)->bind_values(2, {std::int64_t{1}, std::int64_t{2}});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.code(), ErrorCode::kStoreError);
}

TEST(SqliteStatementTest, RewindKeepsTheBindingsAndClearBindingsDropsThem) {
  auto conn = memory_db();
  ASSERT_NE(conn, nullptr);
  auto stmt = conn->prepare_cached("SELECT ?1, ?2");
  ASSERT_TRUE(stmt.ok());
  SqliteStatement& s = **stmt;
  ASSERT_TRUE(s.bind_values(1, {std::int64_t{5}, std::string_view("kept")}).ok());
  for (int run = 0; run < 2; ++run) {
    ScopedReset rewind(s, ScopedReset::Bindings::kKeep);
    auto row = s.step();
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ(s.column_int64(0), 5) << "run " << run;
    EXPECT_EQ(s.column_text(1), "kept") << "run " << run;
  }
  s.clear_bindings();
  ScopedReset reset(s);
  auto row = s.step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_TRUE(s.column_is_null(0));
  EXPECT_TRUE(s.column_is_null(1));
}

}  // namespace
}  // namespace osprey::store
