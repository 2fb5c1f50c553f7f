#pragma once
// SqliteStatement: owns one prepared sqlite3_stmt (finalized on destruction).
// Not thread-safe: used only by the thread that holds its connection.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace osprey::store {

class SqliteStatement {
 public:
  static Result<std::unique_ptr<SqliteStatement>> prepare(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  Status bind_text(int index, std::string_view value);
  // Binds without copying: `value` must outlive the statement's next reset() (bulk inserts).
  Status bind_text_static(int index, std::string_view value);
  Status bind_int64(int index, std::int64_t value);
  Status bind_null(int index);
  // Binds `values` to ?first, ?first + 1, ... with one status for all (rows of a multi-row
  // insert); text is bound without copying, as by bind_text_static.
  using Value = std::variant<std::int64_t, std::string_view>;
  Status bind_values(int first, std::initializer_list<Value> values);

  // Advances one row: true while a row is available, false when done.
  Result<bool> step();

  // Column values of the current row (0-based). NULL reads as "" / 0.
  std::string column_text(int column) const;
  std::int64_t column_int64(int column) const;
  bool column_is_null(int column) const;
  // The column's text, or nullopt for NULL.
  std::optional<std::string> column_optional_text(int column) const;

  // Ends the current execution and clears bindings, so the statement can be reused and holds
  // no read snapshot open.
  void reset();
  // reset() in two halves, for a statement that binds every parameter again before each step
  // (bulk inserts): rewind() ends the execution and keeps the bindings; clear_bindings() drops
  // them once the caller is done with the memory they point to.
  void rewind();
  void clear_bindings();

 private:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Error error(std::string_view what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Resets a statement when the scope ends, whatever path the caller takes out of it; with
// Bindings::kKeep it only rewinds (the caller clears the bindings later).
class ScopedReset {
 public:
  enum class Bindings { kClear, kKeep };
  explicit ScopedReset(SqliteStatement& stmt, Bindings bindings = Bindings::kClear)
      : stmt_(stmt), bindings_(bindings) {}
  ~ScopedReset() { bindings_ == Bindings::kClear ? stmt_.reset() : stmt_.rewind(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  SqliteStatement& stmt_;
  Bindings bindings_;
};

}  // namespace osprey::store
