#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <mutex>

namespace osprey::store {
namespace {

// Memory statistics make every SQLite allocation take a process-wide mutex (about a tenth of
// the CPU of a job claim/settle loop); Osprey never reads them. Must run before SQLite
// initializes: if something else initialized it first, the call fails harmlessly.
void disable_memory_statistics() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::string& path, Role role,
                                                                 int busy_timeout_ms) {
  disable_memory_statistics();
  // NOMUTEX: SQLite's own per-connection mutex is redundant, a connection is never shared.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (role == Role::kWriter) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "sqlite: cannot open database '" + path +
                          "': " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return make_error(ErrorCode::kStoreError, std::move(message));
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db, path));  // NOLINT: private ctor
  if (Status s = conn->configure(role, busy_timeout_ms); !s) return s.error();
  return conn;
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();
  sqlite3_close_v2(db_);
}

Status SqliteConnection::configure(Role role, int busy_timeout_ms) {
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
  if (Status s = exec("PRAGMA foreign_keys = ON"); !s) return s;
  if (role == Role::kReader) return exec("PRAGMA query_only = ON");

  // WAL lets readers run beside the one writer. Set by the writer only: the mode is stored in
  // the file, and changing it needs a write lock.
  auto stmt = prepare_cached("PRAGMA journal_mode = WAL");
  if (!stmt) return stmt.error();
  ScopedReset reset(**stmt);
  auto row = (*stmt)->step();
  if (!row) return row.error();
  const std::string mode = *row ? (*stmt)->column_text(0) : "";
  if (mode != "wal" && !(path_ == ":memory:" && mode == "memory")) {
    return make_error(ErrorCode::kStoreError, "sqlite: cannot enable WAL journal mode for '" +
                                                  path_ + "' (got '" + mode + "')");
  }
  // NORMAL in WAL mode: a commit is appended to the WAL and survives a crash of the process
  // (the OS holds the written pages); only a power loss or OS crash can drop the last commits,
  // never corrupt the file. FULL would fsync on every commit; a gateway that records usage
  // at a high rate cannot afford that, and a power loss is survivable (jobs are re-driven).
  return exec("PRAGMA synchronous = NORMAL");
}

Result<SqliteStatement*> SqliteConnection::prepare_cached(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  auto stmt = SqliteStatement::prepare(db_, sql);
  if (!stmt) return stmt.error();
  SqliteStatement* raw = stmt->get();
  statements_.emplace(std::string(sql), std::move(*stmt));
  return raw;
}

Status SqliteConnection::exec(std::string_view sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  return make_error(ErrorCode::kStoreError, "sqlite: " + text + " (database '" + path_ + "')");
}

int SqliteConnection::changes() const { return sqlite3_changes(db_); }

}  // namespace osprey::store
