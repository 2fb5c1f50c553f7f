#pragma once
// PgResult: owns one libpq PGresult (cleared on destruction) and reads its text cells.
// Not thread-safe; move-only.
#include <libpq-fe.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace osprey::store {

class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result) {}

  // False for a failed command, or when libpq returned no result at all (connection lost).
  bool ok() const {
    const ExecStatusType status = PQresultStatus(result_.get());
    return result_ != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK);
  }
  // The server's message for a failed command ("" if none).
  std::string error_message() const {
    return result_ != nullptr ? PQresultErrorMessage(result_.get()) : "";
  }

  int rows() const { return PQntuples(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const {
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
  }
  PGresult* raw() const { return result_.get(); }
  // Rows affected by INSERT/UPDATE/DELETE.
  int affected_rows() const { return std::atoi(PQcmdTuples(result_.get())); }

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

}  // namespace osprey::store
