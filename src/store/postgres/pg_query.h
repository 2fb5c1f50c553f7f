#pragma once
// Small helpers shared by the PostgreSQL store files: one transaction around a function, array
// literals so a whole batch travels as a few parameters of one statement, COPY fields, a
// setting write and the tenant-exists check.
// Not thread-safe: used while holding a pool lease, like the connection itself.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/postgres/pg_connection.h"

namespace osprey::store {

// ISO-8601 UTC with milliseconds, the form SQLite stores, for a TIMESTAMPTZ column.
#define OSPREY_PG_ISO(column) \
  "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

// A PostgreSQL array literal ({"a","b\"c"}) of `values`; cast it in SQL ($1::text[]).
std::string pg_array_literal(const std::vector<std::string>& values);

// Appends `text` as one field of COPY's text format: backslash escapes for the characters
// that delimit fields and rows (the caller adds the '\t' / '\n' between them).
void pg_append_copy_field(std::string& out, std::string_view text);

// Runs `fn()` (returning Status or Result<T>) inside BEGIN ... COMMIT, rolling back if it
// fails.
template <typename Fn>
auto pg_transaction(PgConnection& conn, Fn&& fn) -> decltype(fn()) {
  if (Status s = conn.exec_script("BEGIN"); !s) return s.error();
  auto result = fn();
  if (!result) {
    (void)conn.exec_script("ROLLBACK");  // the error in `result` is the one that matters
    return result;
  }
  if (Status s = conn.exec_script("COMMIT"); !s) {
    (void)conn.exec_script("ROLLBACK");
    return s.error();
  }
  return result;
}

// Inserts or replaces setting `key` (Store::put_setting; the audit anchor inside the append's
// transaction).
inline Status pg_put_setting(PgConnection& conn, std::string_view key, std::string_view value) {
  auto r = conn.exec(
      "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET "
      "value = excluded.value, updated_at = now()",
      {key, value});
  if (!r) return r.error();
  return {};
}

// kNotFound "tenant <id> does not exist" unless the tenant exists: what every insert of a
// tenant's rows (keys, jobs, experiments, files) checks first, for a clear error.
inline Status pg_require_tenant(PgConnection& conn, std::int64_t tenant_id) {
  const std::string id = std::to_string(tenant_id);
  auto r = conn.exec("SELECT 1 FROM tenants WHERE id = $1::bigint", {id});
  if (!r) return r.error();
  if (r->rows() == 0) return make_error(ErrorCode::kNotFound, "tenant " + id + " does not exist");
  return {};
}

// True if `error` came from a unique-constraint violation.
inline bool pg_is_unique_violation(const Error& error) {
  return error.message.find("duplicate key value violates unique constraint") != std::string::npos;
}

}  // namespace osprey::store
