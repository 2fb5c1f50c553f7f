#pragma once
// The SQLite schema, as an ordered list of migrations. Append only.
#include <span>

#include "store/migration.h"

namespace osprey::store {

std::span<const Migration> sqlite_migrations();

}  // namespace osprey::store
