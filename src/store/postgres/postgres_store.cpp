#include "store/postgres/postgres_store.h"

#include "store/migration.h"
#include "store/postgres/pg_query.h"
#include "store/postgres/postgres_migrations.h"

namespace osprey::store {
namespace {

// Advisory lock id that serializes migrations of one database across processes ("osprmigr").
constexpr std::string_view kMigrationLockId = "8030593576574953842";

// 0 for a database that has never been migrated.
Result<int> read_version(PgConnection& conn) {
  // A plain query of pg_class (statement snapshot), not to_regclass(): the latter reads the
  // catalog cache, which can miss a table another session created while we waited for the
  // migration lock.
  auto exists = conn.exec(
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
      "ON n.oid = c.relnamespace WHERE c.relname = 'schema_migrations' "
      "AND n.nspname = current_schema())");
  if (!exists) return exists.error();
  if (exists->rows() != 1 || exists->text(0, 0) != "t") return 0;
  auto max = conn.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!max) return max.error();
  return std::stoi(max->text(0, 0));
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const StoreOptions& options) {
  auto first = PgConnection::connect(options.url);
  if (!first) return first.error();
  std::vector<std::unique_ptr<PgConnection>> slots;
  slots.push_back(std::move(*first));
  slots.resize(static_cast<std::size_t>(options.pool_size));  // the rest connect lazily
  return std::unique_ptr<PostgresStore>(                      // NOLINT: private constructor
      new PostgresStore(options.url, std::chrono::milliseconds(options.acquire_timeout_ms),
                        std::move(slots)));
}

PostgresStore::PostgresStore(std::string url, std::chrono::milliseconds acquire_timeout,
                             std::vector<std::unique_ptr<PgConnection>> slots)
    : url_(std::move(url)), acquire_timeout_(acquire_timeout), pool_(std::move(slots)) {}

PostgresStore::~PostgresStore() { (void)close(); }

Status PostgresStore::migrate() {
  const std::span<const Migration> all = postgres_migrations();
  const int binary_version = latest_version(all);
  return with_connection([&](PgConnection& conn) -> Status {
    auto current = read_version(conn);
    if (!current) return current.error();
    if (Status s = check_schema_not_newer(*current, binary_version); !s) return s;
    for (const Migration& m : all) {
      if (m.version <= *current) continue;
      if (Status s = apply_in_transaction(conn, m, binary_version); !s) return s;
    }
    return {};
  });
}

Status PostgresStore::apply_in_transaction(PgConnection& conn, const Migration& migration,
                                           int binary_version) {
  if (Status s = conn.exec_script("BEGIN"); !s) return s;
  auto rollback_with = [&conn](Error error) -> Status {
    (void)conn.exec_script("ROLLBACK");  // the error being returned is the one that matters
    return error;
  };
  // Held until COMMIT/ROLLBACK: a second process migrating now waits here, then re-reads the
  // version below and finds this step applied.
  if (auto locked = conn.exec("SELECT pg_advisory_xact_lock($1::bigint)", {kMigrationLockId});
      !locked) {
    return rollback_with(locked.error());
  }
  auto version = read_version(conn);
  if (!version) return rollback_with(version.error());
  if (Status s = check_schema_not_newer(*version, binary_version); !s) {
    return rollback_with(s.error());
  }
  if (*version >= migration.version) return conn.exec_script("COMMIT");

  if (Status s = conn.exec_script(migration.sql); !s) {
    return rollback_with(make_error(ErrorCode::kStoreError, "migration " +
                                                                std::to_string(migration.version) +
                                                                " (" + std::string(migration.name) +
                                                                ") failed: " + s.error().message));
  }
  const std::string version_text = std::to_string(migration.version);
  if (auto record = conn.exec("INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)",
                              {version_text, migration.name});
      !record) {
    return rollback_with(record.error());
  }
  if (Status s = conn.exec_script("COMMIT"); !s) return rollback_with(s.error());
  return {};
}

Result<int> PostgresStore::schema_version() {
  return with_connection([](PgConnection& conn) { return read_version(conn); });
}

std::vector<MigrationInfo> PostgresStore::migrations() const {
  return migration_infos(postgres_migrations());
}

Status PostgresStore::ping() {
  return with_connection([](PgConnection& conn) -> Status {
    if (auto r = conn.exec("SELECT 1"); !r) return r.error();
    return {};
  });
}

Result<std::optional<std::string>> PostgresStore::get_setting(std::string_view key) {
  return with_connection([key](PgConnection& conn) -> Result<std::optional<std::string>> {
    auto r = conn.exec("SELECT value FROM settings WHERE key = $1", {key});
    if (!r) return r.error();
    if (r->rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r->text(0, 0));
  });
}

Status PostgresStore::put_setting(std::string_view key, std::string_view value) {
  return with_connection(
      [key, value](PgConnection& conn) { return pg_put_setting(conn, key, value); });
}

Result<bool> PostgresStore::put_setting_if_absent(std::string_view key, std::string_view value) {
  return with_connection([key, value](PgConnection& conn) -> Result<bool> {
    auto r =
        conn.exec("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                  {key, value});
    if (!r) return r.error();
    return r->affected_rows() == 1;
  });
}

Result<std::vector<std::pair<std::string, std::string>>> PostgresStore::list_settings(
    std::string_view prefix) {
  using Rows = std::vector<std::pair<std::string, std::string>>;
  return with_connection([prefix](PgConnection& conn) -> Result<Rows> {
    auto r = conn.exec(
        "SELECT key, value FROM settings WHERE starts_with(key, $1::text) ORDER BY key", {prefix});
    if (!r) return r.error();
    Rows rows;
    rows.reserve(static_cast<std::size_t>(r->rows()));
    for (int i = 0; i < r->rows(); ++i) rows.emplace_back(r->text(i, 0), r->text(i, 1));
    return rows;
  });
}

Status PostgresStore::close() {
  std::unique_lock life(lifecycle_);
  if (closed_) return {};
  closed_ = true;
  pool_.clear();
  return {};
}

}  // namespace osprey::store
