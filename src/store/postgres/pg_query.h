#pragma once
// Small helpers shared by the PostgreSQL tenancy files: one transaction around a function, and
// array literals so a whole batch travels as a few parameters of one statement.
// Not thread-safe: used while holding a pool lease, like the connection itself.
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

// True if `error` came from a unique-constraint violation.
inline bool pg_is_unique_violation(const Error& error) {
  return error.message.find("duplicate key value violates unique constraint") != std::string::npos;
}

}  // namespace osprey::store
