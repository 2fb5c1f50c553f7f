#include "store/sqlite/sqlite_migrations.h"

#include <array>

namespace osprey::store {
namespace {

// Timestamps are ISO-8601 UTC text with milliseconds: sortable and readable with the sqlite3 CLI.
constexpr std::array kMigrations = {
    Migration{1, "create_settings", R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
)sql"},
};

}  // namespace

std::span<const Migration> sqlite_migrations() { return kMigrations; }

}  // namespace osprey::store
