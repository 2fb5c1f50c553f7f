#pragma once
// PgTestDatabase: a fresh database (t_<random>) on the test server, dropped afterwards, so
// tests never see each other's rows.
#include <memory>
#include <string>

#include "unit/store/test_database.h"

namespace osprey::store::testing {

class PgTestDatabase final : public TestDatabase {
 public:
  static Result<std::unique_ptr<TestDatabase>> create();
  ~PgTestDatabase() override;

  StoreOptions options() const override;
  Result<std::string> query(const std::string& sql) override;

 private:
  PgTestDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// Runs `sql` on the database at `url`; first cell of the first row ("" if none).
Result<std::string> pg_query(const std::string& url, const std::string& sql);

}  // namespace osprey::store::testing
