#pragma once
// TestDatabase: one fresh, empty database for one test, removed when destroyed. Each Store
// backend provides one; the conformance suite runs against all of them.
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace osprey::store::testing {

class TestDatabase {
 public:
  virtual ~TestDatabase() = default;

  // Options that open this database (callers may change pool sizes and timeouts).
  virtual StoreOptions options() const = 0;

  // Runs raw SQL behind the Store's back and returns the first column of the first row ("" if
  // no row). For states the API cannot produce (a schema from a newer binary) and for checks
  // the API does not offer (row counts in schema_migrations).
  virtual Result<std::string> query(const std::string& sql) = 0;
};

}  // namespace osprey::store::testing
