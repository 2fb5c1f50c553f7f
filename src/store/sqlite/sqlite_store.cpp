#include "store/sqlite/sqlite_store.h"

#include <filesystem>
#include <system_error>

#include "store/migration.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_query.h"

namespace osprey::store {
namespace {

constexpr std::string_view kMemoryPath = ":memory:";

Status create_parent_directory(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return {};
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return make_error(ErrorCode::kStoreError, "sqlite: cannot create directory '" +
                                                  parent.string() + "' for database '" + path +
                                                  "': " + ec.message());
  }
  return {};
}

// 0 for a database that has never been migrated.
Result<int> read_version(SqliteConnection& conn) {
  auto exists = conn.prepare_cached(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!exists) return exists.error();
  {
    ScopedReset reset(**exists);
    auto row = (*exists)->step();
    if (!row) return row.error();
    if (!*row || (*exists)->column_int64(0) == 0) return 0;
  }
  auto max = conn.prepare_cached("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!max) return max.error();
  ScopedReset reset(**max);
  auto row = (*max)->step();
  if (!row) return row.error();
  return static_cast<int>(*row ? (*max)->column_int64(0) : 0);
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const StoreOptions& options,
                                                       const std::string& path) {
  if (path.empty()) {
    return make_error(ErrorCode::kConfigInvalid, "sqlite store URL has no path (sqlite:<path>)");
  }
  const bool memory = path == kMemoryPath;
  if (!memory) {
    if (Status s = create_parent_directory(path); !s) return s.error();
  }
  auto writer =
      SqliteConnection::open(path, SqliteConnection::Role::kWriter, options.busy_timeout_ms);
  if (!writer) return writer.error();
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; !memory && i < options.pool_size; ++i) {
    auto reader =
        SqliteConnection::open(path, SqliteConnection::Role::kReader, options.busy_timeout_ms);
    if (!reader) return reader.error();
    readers.push_back(std::move(*reader));
  }
  return std::unique_ptr<SqliteStore>(  // NOLINT: private constructor
      new SqliteStore(path, std::chrono::milliseconds(options.acquire_timeout_ms),
                      std::move(*writer), std::move(readers)));
}

SqliteStore::SqliteStore(std::string path, std::chrono::milliseconds acquire_timeout,
                         std::unique_ptr<SqliteConnection> writer,
                         std::vector<std::unique_ptr<SqliteConnection>> readers)
    : path_(std::move(path)),
      acquire_timeout_(acquire_timeout),
      writer_(std::move(writer)),
      readers_(std::move(readers)) {}

SqliteStore::~SqliteStore() { (void)close(); }

Status SqliteStore::migrate() {
  return with_writer([this](SqliteConnection& conn) { return migrate_locked(conn); });
}

Status SqliteStore::migrate_locked(SqliteConnection& conn) {
  const std::span<const Migration> all = sqlite_migrations();
  const int binary_version = latest_version(all);
  auto current = read_version(conn);
  if (!current) return current.error();
  if (Status s = check_schema_not_newer(*current, binary_version); !s) return s;
  for (const Migration& m : all) {
    if (m.version <= *current) continue;
    if (Status s = apply_in_transaction(conn, m, binary_version); !s) return s;
  }
  return {};
}

Status SqliteStore::apply_in_transaction(SqliteConnection& conn, const Migration& migration,
                                         int binary_version) {
  // IMMEDIATE takes the write lock now, so a second process migrating at the same time waits
  // here (busy_timeout) and then sees this step as already applied.
  if (Status s = conn.exec("BEGIN IMMEDIATE"); !s) return s;
  auto rollback_with = [&conn](Error error) -> Status {
    (void)conn.exec("ROLLBACK");  // the error being returned is the one that matters
    return error;
  };
  auto version = read_version(conn);
  if (!version) return rollback_with(version.error());
  if (Status s = check_schema_not_newer(*version, binary_version); !s) {
    return rollback_with(s.error());
  }
  if (*version >= migration.version) return conn.exec("COMMIT");

  if (Status s = conn.exec(migration.sql); !s) {
    return rollback_with(make_error(ErrorCode::kStoreError, "migration " +
                                                                std::to_string(migration.version) +
                                                                " (" + std::string(migration.name) +
                                                                ") failed: " + s.error().message));
  }
  auto record =
      conn.prepare_cached("INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)");
  if (!record) return rollback_with(record.error());
  {
    ScopedReset reset(**record);
    if (Status s = (*record)->bind_int64(1, migration.version); !s) return rollback_with(s.error());
    if (Status s = (*record)->bind_text(2, migration.name); !s) return rollback_with(s.error());
    if (auto done = (*record)->step(); !done) return rollback_with(done.error());
  }
  if (Status s = conn.exec("COMMIT"); !s) return rollback_with(s.error());
  return {};
}

Result<int> SqliteStore::schema_version() {
  return with_reader([](SqliteConnection& conn) { return read_version(conn); });
}

std::vector<MigrationInfo> SqliteStore::migrations() const {
  return migration_infos(sqlite_migrations());
}

Status SqliteStore::ping() {
  return with_reader([](SqliteConnection& conn) -> Status {
    auto stmt = conn.prepare_cached("SELECT 1");
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    if (auto row = (*stmt)->step(); !row) return row.error();
    return {};
  });
}

Status SqliteStore::check_integrity() {
  return with_reader([this](SqliteConnection& conn) -> Status {
    auto stmt = conn.prepare_cached("PRAGMA integrity_check");
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    std::string problems;
    for (int shown = 0; shown < 5; ++shown) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      const std::string line = (*stmt)->column_text(0);
      if (line == "ok") return {};
      problems += (problems.empty() ? "" : "; ") + line;
    }
    return make_error(ErrorCode::kStoreError,
                      "sqlite: integrity check of '" + path_ + "' failed: " + problems);
  });
}

Result<std::optional<std::string>> SqliteStore::get_setting(std::string_view key) {
  return with_reader([key](SqliteConnection& conn) -> Result<std::optional<std::string>> {
    auto stmt = conn.prepare_cached("SELECT value FROM settings WHERE key = ?1");
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    if (Status s = (*stmt)->bind_text(1, key); !s) return s.error();
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>((*stmt)->column_text(0));
  });
}

Status SqliteStore::put_setting(std::string_view key, std::string_view value) {
  return with_writer(
      [key, value](SqliteConnection& conn) { return sqlite_put_setting(conn, key, value); });
}

Result<bool> SqliteStore::put_setting_if_absent(std::string_view key, std::string_view value) {
  return with_writer([key, value](SqliteConnection& conn) -> Result<bool> {
    auto stmt = conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING");
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    if (Status s = (*stmt)->bind_text(1, key); !s) return s.error();
    if (Status s = (*stmt)->bind_text(2, value); !s) return s.error();
    if (auto done = (*stmt)->step(); !done) return done.error();
    return conn.changes() == 1;
  });
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::list_settings(
    std::string_view prefix) {
  using Rows = std::vector<std::pair<std::string, std::string>>;
  return with_reader([prefix](SqliteConnection& conn) -> Result<Rows> {
    // substr/length count characters of the same UTF-8 text on both sides, so any prefix
    // matches exactly; BINARY collation orders keys bytewise, like PostgreSQL's "C".
    auto stmt = conn.prepare_cached(
        "SELECT key, value FROM settings WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key");
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    if (Status s = (*stmt)->bind_text(1, prefix); !s) return s.error();
    Rows rows;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      rows.emplace_back((*stmt)->column_text(0), (*stmt)->column_text(1));
    }
    return rows;
  });
}

Status SqliteStore::close() {
  std::unique_lock life(lifecycle_);
  if (closed_) return {};
  closed_ = true;
  readers_.clear();
  std::lock_guard lock(writer_mutex_);
  // TRUNCATE folds the WAL into the main file and empties it, so the file alone is a
  // complete copy (safe to back up or move) once close() returns.
  Status checkpoint = writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  writer_.reset();
  return checkpoint;
}

}  // namespace osprey::store
