#include "store/postgres/postgres_migrations.h"

#include <array>

namespace osprey::store {
namespace {

// Keys use the "C" collation: bytewise order (same as SQLite) whatever the database locale,
// and prefix scans can use the primary-key index.
constexpr std::array kMigrations = {
    Migration{1, "create_settings", R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE settings (
  key        TEXT COLLATE "C" PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
)sql"},
};

}  // namespace

std::span<const Migration> postgres_migrations() { return kMigrations; }

}  // namespace osprey::store
