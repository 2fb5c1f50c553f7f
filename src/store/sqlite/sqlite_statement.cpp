#include "store/sqlite/sqlite_statement.h"

#include <sqlite3.h>

namespace osprey::store {

Result<std::unique_ptr<SqliteStatement>> SqliteStatement::prepare(sqlite3* db,
                                                                  std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return make_error(ErrorCode::kStoreError,
                      std::string("sqlite: cannot prepare statement: ") + sqlite3_errmsg(db));
  }
  return std::unique_ptr<SqliteStatement>(new SqliteStatement(db, stmt));  // NOLINT: private ctor
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

Status SqliteStatement::bind_text(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) return error("bind");
  return {};
}

Status SqliteStatement::bind_text_static(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) return error("bind");
  return {};
}

Status SqliteStatement::bind_values(int first, std::initializer_list<Value> values) {
  int index = first;
  for (const Value& value : values) {
    const std::string_view* text = std::get_if<std::string_view>(&value);
    const int rc = text != nullptr
                       ? sqlite3_bind_text64(stmt_, index, text->data(), text->size(),
                                             SQLITE_STATIC, SQLITE_UTF8)
                       : sqlite3_bind_int64(stmt_, index, std::get<std::int64_t>(value));
    if (rc != SQLITE_OK) return error("bind");
    ++index;
  }
  return {};
}

Status SqliteStatement::bind_int64(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) return error("bind");
  return {};
}

Status SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) return error("bind");
  return {};
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error("step");
}

std::string SqliteStatement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::int64_t SqliteStatement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool SqliteStatement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::string> SqliteStatement::column_optional_text(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_text(column);
}

void SqliteStatement::reset() {
  rewind();
  clear_bindings();
}

void SqliteStatement::rewind() { sqlite3_reset(stmt_); }

void SqliteStatement::clear_bindings() { sqlite3_clear_bindings(stmt_); }

Error SqliteStatement::error(std::string_view what) const {
  return make_error(ErrorCode::kStoreError,
                    "sqlite: " + std::string(what) + " failed: " + sqlite3_errmsg(db_));
}

}  // namespace osprey::store
