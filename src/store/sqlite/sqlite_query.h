#pragma once
// Small helpers shared by the SQLite store files: bind a parameter list in one call, run a
// function inside one write transaction, write a setting, check that a tenant
// exists.
// Not thread-safe: used under the writer mutex or a read lease, like the connection itself.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_statement.h"

namespace osprey::store {

inline Status sqlite_bind(SqliteStatement& stmt, int index, std::string_view value) {
  return stmt.bind_text(index, value);
}
inline Status sqlite_bind(SqliteStatement& stmt, int index, const std::string& value) {
  return stmt.bind_text(index, value);
}
inline Status sqlite_bind(SqliteStatement& stmt, int index, const char* value) {
  return stmt.bind_text(index, value);
}
inline Status sqlite_bind(SqliteStatement& stmt, int index, std::int64_t value) {
  return stmt.bind_int64(index, value);
}
inline Status sqlite_bind(SqliteStatement& stmt, int index, int value) {
  return stmt.bind_int64(index, value);
}
inline Status sqlite_bind(SqliteStatement& stmt, int index, bool value) {
  return stmt.bind_int64(index, value ? 1 : 0);
}
inline Status sqlite_bind(SqliteStatement& stmt, int index,
                          const std::optional<std::string>& value) {
  return value ? stmt.bind_text(index, *value) : stmt.bind_null(index);
}
inline Status sqlite_bind(SqliteStatement& stmt, int index,
                          const std::optional<std::int64_t>& value) {
  return value ? stmt.bind_int64(index, *value) : stmt.bind_null(index);
}

// Prepares (cached) `sql` and binds `args` to ?1, ?2, ... REQUIRES: wrap the returned
// statement in ScopedReset.
template <typename... Args>
Result<SqliteStatement*> sqlite_prepare_bound(SqliteConnection& conn, std::string_view sql,
                                              const Args&... args) {
  auto stmt = conn.prepare_cached(sql);
  if (!stmt) return stmt.error();
  int index = 0;
  Status status;
  ((status = status ? sqlite_bind(**stmt, ++index, args) : status), ...);
  if (!status) {
    (*stmt)->reset();
    return status.error();
  }
  return *stmt;
}

// Steps a prepared statement to its end and returns `read(stmt)` of every row; resets it.
template <typename T, typename Read>
Result<std::vector<T>> sqlite_read_rows(SqliteStatement& stmt, Read&& read) {
  ScopedReset reset(stmt);
  std::vector<T> rows;
  while (true) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    rows.push_back(read(static_cast<const SqliteStatement&>(stmt)));
  }
  return rows;
}

// Runs one statement that returns no rows; the number of rows it changed.
template <typename... Args>
Result<int> sqlite_execute(SqliteConnection& conn, std::string_view sql, const Args&... args) {
  auto stmt = sqlite_prepare_bound(conn, sql, args...);
  if (!stmt) return stmt.error();
  ScopedReset reset(**stmt);
  if (auto done = (*stmt)->step(); !done) return done.error();
  return conn.changes();
}

// Inserts or replaces setting `key` (Store::put_setting; the audit anchor inside the append's
// transaction).
inline Status sqlite_put_setting(SqliteConnection& conn, std::string_view key,
                                 std::string_view value) {
  auto changed = sqlite_execute(
      conn,
      "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET "
      "value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
      key, value);
  if (!changed) return changed.error();
  return {};
}

// kNotFound "tenant <id> does not exist" unless the tenant exists: what every insert of a
// tenant's rows (jobs, experiments, files) checks first, for a clear error.
inline Status sqlite_require_tenant(SqliteConnection& conn, std::int64_t tenant_id) {
  auto stmt = sqlite_prepare_bound(conn, "SELECT 1 FROM tenants WHERE id = ?1", tenant_id);
  if (!stmt) return stmt.error();
  ScopedReset reset(**stmt);
  auto row = (*stmt)->step();
  if (!row) return row.error();
  if (!*row) {
    return make_error(ErrorCode::kNotFound,
                      "tenant " + std::to_string(tenant_id) + " does not exist");
  }
  return {};
}

// Runs `fn()` (returning Status or Result<T>) inside BEGIN IMMEDIATE ... COMMIT, rolling back
// if it fails. REQUIRES: the caller holds the writer connection.
template <typename Fn>
auto sqlite_transaction(SqliteConnection& conn, Fn&& fn) -> decltype(fn()) {
  if (Status s = conn.exec("BEGIN IMMEDIATE"); !s) return s.error();
  auto result = fn();
  if (!result) {
    (void)conn.exec("ROLLBACK");  // the error in `result` is the one that matters
    return result;
  }
  if (Status s = conn.exec("COMMIT"); !s) {
    (void)conn.exec("ROLLBACK");
    return s.error();
  }
  return result;
}

}  // namespace osprey::store
