#pragma once
// SqliteConnection: one sqlite3 handle configured for Osprey (WAL, busy timeout, foreign keys)
// with a cache of prepared statements keyed by their SQL text.
// Not thread-safe: one thread at a time (the store's writer mutex or a pool lease ensures it).
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/string_map.h"
#include "store/sqlite/sqlite_statement.h"

struct sqlite3;

namespace osprey::store {

class SqliteConnection {
 public:
  enum class Role { kWriter, kReader };

  // Opens (and for the writer, creates) the database at `path`. ":memory:" is a private
  // in-memory database. Errors name the path.
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path, Role role,
                                                        int busy_timeout_ms);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // A prepared statement for `sql`, prepared on first use and reused afterwards. Wrap uses in
  // ScopedReset. The pointer stays valid as long as the connection.
  Result<SqliteStatement*> prepare_cached(std::string_view sql);

  // Runs constant SQL without parameters (may contain several statements).
  Status exec(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int changes() const;

 private:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status configure(Role role, int busy_timeout_ms);

  sqlite3* db_;
  std::string path_;
  // Finalized in the destructor before db_ is closed.
  // Looked up by string_view (no copy of the SQL text per execution).
  StringMap<std::unique_ptr<SqliteStatement>> statements_;
};

}  // namespace osprey::store
