#include "store/postgres/pg_connection.h"

#include <cstdlib>
#include <optional>
#include <vector>

#include "store/redacted_url.h"

namespace osprey::store {

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& url) {
  std::unique_ptr<PGconn, Finish> conn(PQconnectdb(url.c_str()));
  if (!conn) {
    return make_error(ErrorCode::kStoreError,
                      "postgres: out of memory connecting to " + redact_url(url));
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return make_error(ErrorCode::kStoreError, "postgres: cannot connect to " + redact_url(url) +
                                                  ": " +
                                                  trimmed_pg_message(PQerrorMessage(conn.get())));
  }
  // Notices (e.g. "relation already exists, skipping") are expected and must not reach stderr.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn.release()));  // NOLINT: private ctor
}

Status PgConnection::check_no_nul(const std::vector<std::string>& params) {
  for (const std::string& p : params) {
    if (p.find('\0') != std::string::npos) {
      return make_error(ErrorCode::kStoreError, "postgres: text values cannot contain NUL bytes");
    }
  }
  return {};
}

Result<std::vector<std::string>> PgConnection::owned_params(
    std::initializer_list<std::string_view> params) {
  std::vector<std::string> owned(params.begin(), params.end());
  if (Status s = check_no_nul(owned); !s) return s.error();
  return owned;
}

Result<PgResult> PgConnection::exec(std::string_view sql,
                                    std::initializer_list<std::string_view> params) {
  auto owned = owned_params(params);
  if (!owned) return owned.error();
  return exec_owned(sql, *owned);
}

Result<PgResult> PgConnection::exec_values(std::string_view sql,
                                           const std::vector<std::string>& params) {
  if (Status s = check_no_nul(params); !s) return s.error();
  return exec_owned(sql, params);
}

Result<PgResult> PgConnection::exec_owned(std::string_view sql,
                                          const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  PgResult result(PQexecParams(conn_.get(), std::string(sql).c_str(),
                               static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                               nullptr, 0));
  if (!result.ok()) return error("query", result);
  return result;
}

Result<std::int64_t> PgConnection::copy_in(std::string_view copy_sql, std::string_view data) {
  PgResult started(PQexec(conn_.get(), std::string(copy_sql).c_str()));
  if (PQresultStatus(started.raw()) != PGRES_COPY_IN) return error("copy", started);
  // libpq buffers and sends in its own chunks; a bounded piece per call keeps the int length.
  constexpr std::size_t kPiece = 1 << 20;
  bool sent = true;
  for (std::size_t at = 0; at < data.size() && sent; at += kPiece) {
    const std::string_view piece = data.substr(at, kPiece);
    sent = PQputCopyData(conn_.get(), piece.data(), static_cast<int>(piece.size())) == 1;
  }
  // Ending (or aborting) the copy is needed either way, so the connection leaves COPY mode.
  if (PQputCopyEnd(conn_.get(), sent ? nullptr : "osprey: copy data not sent") != 1) sent = false;
  std::optional<PgResult> final_result;
  while (PGresult* r = PQgetResult(conn_.get())) final_result.emplace(r);
  if (!final_result) return make_error(ErrorCode::kStoreError, "postgres: copy got no result");
  if (!final_result->ok() || !sent) return error("copy", *final_result);
  return static_cast<std::int64_t>(std::strtoll(PQcmdTuples(final_result->raw()), nullptr, 10));
}

Result<PgResult> PgConnection::exec_prepared(std::string_view name, std::string_view sql,
                                             std::initializer_list<std::string_view> params) {
  auto owned = owned_params(params);
  if (!owned) return owned.error();
  const std::string statement(name);
  if (prepared_.count(statement) == 0) {
    PgResult prepared(PQprepare(conn_.get(), statement.c_str(), std::string(sql).c_str(),
                                static_cast<int>(owned->size()), nullptr));
    if (!prepared.ok()) return error("prepare", prepared);
    prepared_.insert(statement);
  }
  std::vector<const char*> values;
  values.reserve(owned->size());
  for (const std::string& p : *owned) values.push_back(p.c_str());
  PgResult result(PQexecPrepared(conn_.get(), statement.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0));
  if (!result.ok()) return error("query", result);
  return result;
}

Status PgConnection::exec_script(std::string_view sql) {
  PgResult result(PQexec(conn_.get(), std::string(sql).c_str()));
  if (!result.ok()) return error("statement", result);
  return {};
}

bool PgConnection::broken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }

Error PgConnection::error(std::string_view what, const PgResult& result) const {
  std::string message = result.error_message();
  if (message.empty()) message = PQerrorMessage(conn_.get());
  return make_error(ErrorCode::kStoreError, "postgres: " + std::string(what) +
                                                " failed: " + trimmed_pg_message(message.c_str()));
}

std::string trimmed_pg_message(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace osprey::store
