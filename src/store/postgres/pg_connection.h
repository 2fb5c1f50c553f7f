#pragma once
// PgConnection: one libpq connection. Values always travel as parameters ($1, $2, ...),
// never spliced into SQL text.
// Not thread-safe: one thread at a time (a pool lease ensures it).
#include <libpq-fe.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "store/postgres/pg_result.h"

namespace osprey::store {

class PgConnection {
 public:
  // Connects to a libpq URI. Errors quote the URL with its password redacted.
  static Result<std::unique_ptr<PgConnection>> connect(const std::string& url);

  // One statement with text parameters (none may contain a NUL byte).
  Result<PgResult> exec(std::string_view sql, std::initializer_list<std::string_view> params = {});

  // Like exec, through a server-side prepared statement named `name`, prepared on this
  // connection at first use: hot statements skip parsing and, once PostgreSQL settles on a
  // generic plan, planning (which costs as much as running a 256-item claim or settlement).
  // `name` must always come with the same `sql`.
  Result<PgResult> exec_prepared(std::string_view name, std::string_view sql,
                                 std::initializer_list<std::string_view> params);

  // Like exec, for a parameter list built at run time.
  Result<PgResult> exec_values(std::string_view sql, const std::vector<std::string>& params);

  // COPY ... FROM STDIN with `data` in COPY's text format (rows end with '\n'); the number of
  // rows copied. Sent in one PQputCopyData stream: no per-row round trip.
  Result<std::int64_t> copy_in(std::string_view copy_sql, std::string_view data);

  // Constant SQL that may contain several statements (migrations, BEGIN/COMMIT).
  Status exec_script(std::string_view sql);

  // True once the server connection is lost; the pool then replaces this connection.
  bool broken() const;

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Error error(std::string_view what, const PgResult& result) const;
  // libpq wants NUL-terminated text parameters; fails on a NUL inside one.
  static Status check_no_nul(const std::vector<std::string>& params);
  static Result<std::vector<std::string>> owned_params(
      std::initializer_list<std::string_view> params);
  Result<PgResult> exec_owned(std::string_view sql, const std::vector<std::string>& params);

  std::unique_ptr<PGconn, Finish> conn_;
  std::unordered_set<std::string> prepared_;  // statement names prepared on conn_
};

// libpq's message for an error (PQerrorMessage, PQresultErrorMessage) without its trailing
// newline; "" for null.
std::string trimmed_pg_message(const char* message);

}  // namespace osprey::store
