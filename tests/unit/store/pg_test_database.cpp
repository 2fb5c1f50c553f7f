#include "unit/store/pg_test_database.h"

#include <libpq-fe.h>

#include <mutex>
#include <random>

#include "unit/store/pg_test_server.h"

namespace osprey::store::testing {

Result<std::string> pg_query(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return make_error(ErrorCode::kStoreError, message);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  Result<std::string> out = std::string();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    out = make_error(ErrorCode::kStoreError, PQresultErrorMessage(result));
  } else if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0) {
    out = std::string(PQgetvalue(result, 0, 0));
  }
  PQclear(result);
  PQfinish(conn);
  return out;
}

Result<std::unique_ptr<TestDatabase>> PgTestDatabase::create() {
  auto admin = pg_test_server_url();
  if (!admin) return admin.error();
  static std::mutex rng_mutex;
  static std::mt19937_64 rng{std::random_device{}()};
  std::string name;
  {
    std::lock_guard lock(rng_mutex);
    name = "t_" + std::to_string(rng());
  }
  if (auto created = pg_query(*admin, "CREATE DATABASE " + name); !created) {
    return created.error();
  }
  std::string url = with_database(*admin, name);
  return std::unique_ptr<TestDatabase>(new PgTestDatabase(*admin, name, url));
}

PgTestDatabase::~PgTestDatabase() {
  // FORCE ends sessions a failed test may have left open.
  (void)pg_query(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

StoreOptions PgTestDatabase::options() const {
  StoreOptions options;
  options.url = url_;
  return options;
}

Result<std::string> PgTestDatabase::query(const std::string& sql) { return pg_query(url_, sql); }

}  // namespace osprey::store::testing
