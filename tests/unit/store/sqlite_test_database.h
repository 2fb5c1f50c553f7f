#pragma once
// SqliteTestDatabase: a SQLite file in a fresh temporary directory (deleted afterwards).
#include <memory>
#include <string>

#include "unit/store/test_database.h"

namespace osprey::store::testing {

class SqliteTestDatabase final : public TestDatabase {
 public:
  static Result<std::unique_ptr<TestDatabase>> create();
  ~SqliteTestDatabase() override;

  StoreOptions options() const override;
  Result<std::string> query(const std::string& sql) override;

  const std::string& path() const { return path_; }
  const std::string& directory() const { return dir_; }

 private:
  SqliteTestDatabase(std::string dir, std::string path)
      : dir_(std::move(dir)), path_(std::move(path)) {}

  std::string dir_;
  std::string path_;
};

// A fresh temporary directory under TMPDIR (or /tmp); empty string on failure.
std::string make_temp_directory(const std::string& prefix);

}  // namespace osprey::store::testing
