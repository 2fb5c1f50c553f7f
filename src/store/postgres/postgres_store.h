#pragma once
// PostgresStore: the scale-out Store backend on PostgreSQL through libpq.
// Thread-safe. Holds a pool of `pool_size` connections: a call waits up to
// `acquire_timeout_ms` for a free one, and a connection found broken is replaced on the next
// acquire. Many processes may share one database; migrate() serializes them with a
// transaction-scoped advisory lock.
#include <chrono>
#include <memory>
#include <shared_mutex>
#include <string>

#include "store/connection_pool.h"
#include "store/migration.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace osprey::store {

class PostgresStore final : public Store {
 public:
  // Connects one pooled connection right away so a wrong URL fails here; the others connect
  // on first use.
  static Result<std::unique_ptr<PostgresStore>> open(const StoreOptions& options);
  ~PostgresStore() override;

  std::string_view backend() const override { return "postgres"; }
  Status migrate() override;
  Result<int> schema_version() override;
  std::vector<MigrationInfo> migrations() const override;
  Status ping() override;
  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  Status put_setting(std::string_view key, std::string_view value) override;
  Result<bool> put_setting_if_absent(std::string_view key, std::string_view value) override;
  Result<std::vector<std::pair<std::string, std::string>>> list_settings(
      std::string_view prefix) override;
  // Closes every connection. Idempotent; every other call afterwards fails with kStoreError.
  Status close() override;

 private:
  PostgresStore(std::string url, std::chrono::milliseconds acquire_timeout,
                std::vector<std::unique_ptr<PgConnection>> slots);

  // Runs `fn(PgConnection&)` on a pooled connection, (re)connecting it first if needed.
  template <typename Fn>
  auto with_connection(Fn&& fn) -> decltype(fn(std::declval<PgConnection&>()));

  Status apply_in_transaction(PgConnection& conn, const Migration& migration, int binary_version);

  const std::string url_;  // may hold a password: never put it in a message unredacted
  const std::chrono::milliseconds acquire_timeout_;

  // Held shared by every call and exclusively by close(): close() waits for calls in flight
  // and no call can use a connection after it. Guards closed_.
  std::shared_mutex lifecycle_;
  bool closed_ = false;

  ConnectionPool<PgConnection> pool_;
};

}  // namespace osprey::store
