#pragma once
// Migration: one versioned step of a backend's schema. Each backend keeps its own ordered list
// (sqlite/sqlite_migrations.h, postgres/postgres_migrations.h); the rules shared by both live
// here so the backends report schema problems with the same words.
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace osprey::store {

struct Migration {
  int version = 0;        // 1, 2, 3, ... without gaps; never renumber a shipped migration
  std::string_view name;  // short snake_case description, recorded in schema_migrations
  std::string_view sql;   // constant SQL (may hold several statements); never user input
};

// The public view of a list (what Store::migrations() returns).
std::vector<MigrationInfo> migration_infos(std::span<const Migration> migrations);

// Highest version in `migrations` (0 if empty).
int latest_version(std::span<const Migration> migrations);

// Fails with kStoreError when the database was migrated by a newer binary than this one.
Status check_schema_not_newer(int database_version, int binary_version);

}  // namespace osprey::store
