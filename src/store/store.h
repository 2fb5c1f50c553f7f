#pragma once
// Store: Osprey's durable state behind typed operations (never SQL strings at the boundary).
// Backends: SQLite (embedded default) and PostgreSQL (scale-out); both pass the conformance
// suite in tests/unit/store/. Every method blocks: call it from a WorkerPool thread, never
// from an I/O thread. Implementations are thread-safe.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace osprey::store {

struct StoreOptions {
  // "sqlite:<path>" or "postgres://..." / "postgresql://..." (libpq connection URI).
  std::string url;
  int busy_timeout_ms = 5000;  // SQLite: how long a writer waits for the lock
  int pool_size = 4;           // read connections (SQLite) / connections (PostgreSQL)
  // PostgreSQL: how long a call waits for a free pooled connection before failing.
  int acquire_timeout_ms = 5000;
};

struct MigrationInfo {
  int version = 0;
  std::string name;
};

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite" or "postgres".
  virtual std::string_view backend() const = 0;

  // Applies every pending migration in order, each in its own transaction. Idempotent: safe to
  // run on every start and concurrently from several processes.
  virtual Status migrate() = 0;
  // Highest applied migration version (0 for an empty database).
  virtual Result<int> schema_version() = 0;
  // Migrations known to this binary, in order.
  virtual std::vector<MigrationInfo> migrations() const = 0;

  // Cheap round trip for /readyz.
  virtual Status ping() = 0;
  // Verifies the on-disk structure (SQLite: PRAGMA integrity_check). Backends whose server owns
  // integrity (PostgreSQL) just check that it answers. Slow on big databases: not for /readyz.
  virtual Status check_integrity() { return ping(); }

  // Small durable key/value settings (instance id, first-start markers).
  virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual Status put_setting(std::string_view key, std::string_view value) = 0;
  // Sets `key` only if absent; returns true if this call set it.
  virtual Result<bool> put_setting_if_absent(std::string_view key, std::string_view value) = 0;
  // Settings whose key starts with `prefix`, in key order.
  virtual Result<std::vector<std::pair<std::string, std::string>>> list_settings(
      std::string_view prefix) = 0;

  // Flushes and releases resources (SQLite: WAL checkpoint). Further calls fail.
  virtual Status close() = 0;
};

// Opens the backend named by options.url. Does not migrate.
Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

}  // namespace osprey::store
