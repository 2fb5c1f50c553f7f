#include "unit/store/sqlite_test_database.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace osprey::store::testing {

std::string make_temp_directory(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) return {};
  return std::string(buffer.data());
}

Result<std::unique_ptr<TestDatabase>> SqliteTestDatabase::create() {
  std::string dir = make_temp_directory("osprey-sqlite-");
  if (dir.empty()) return make_error(ErrorCode::kInternal, "mkdtemp failed");
  std::string path = dir + "/osprey.db";
  return std::unique_ptr<TestDatabase>(new SqliteTestDatabase(std::move(dir), std::move(path)));
}

SqliteTestDatabase::~SqliteTestDatabase() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

StoreOptions SqliteTestDatabase::options() const {
  StoreOptions options;
  options.url = "sqlite:" + path_;
  return options;
}

Result<std::string> SqliteTestDatabase::query(const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    return make_error(ErrorCode::kStoreError, message);
  }
  sqlite3_busy_timeout(db, 5000);
  std::string first;
  char* error = nullptr;
  const int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int columns, char** values, char**) {
        auto* text = static_cast<std::string*>(out);
        if (text->empty() && columns > 0 && values[0] != nullptr) *text = values[0];
        return 0;
      },
      &first, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return make_error(ErrorCode::kStoreError, message);
  return first;
}

}  // namespace osprey::store::testing
