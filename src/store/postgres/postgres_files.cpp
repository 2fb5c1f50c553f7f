// PostgresStore: the files table (who owns which stored file).
#include "store/file_input.h"
#include "store/postgres/pg_query.h"
#include "store/postgres/postgres_store.h"

namespace osprey::store {
namespace {

constexpr std::string_view kFileColumns = "id, tenant_id, purpose, filename, bytes, created_at";

std::vector<FileRecord> read_files(const PgResult& r) {
  std::vector<FileRecord> files;
  for (int i = 0; i < r.rows(); ++i) {
    files.push_back(FileRecord{r.text(i, 0), std::stoll(r.text(i, 1)), r.text(i, 2), r.text(i, 3),
                               std::stoll(r.text(i, 4)), std::stoll(r.text(i, 5))});
  }
  return files;
}

// -1 stands for "any tenant" in the queries below.
std::string tenant_or_any(std::optional<std::int64_t> tenant_id) {
  return std::to_string(tenant_id.value_or(-1));
}

}  // namespace

Status PostgresStore::put_file(const FileRecord& file) {
  if (Status s = check_file_record(file); !s) return s;
  const std::string tenant = std::to_string(file.tenant_id);
  const std::string bytes = std::to_string(file.bytes);
  const std::string created = std::to_string(file.created_at);
  return with_connection([&](PgConnection& conn) -> Status {
    if (Status s = pg_require_tenant(conn, file.tenant_id); !s) return s;
    // One statement: concurrent writers of the same id cannot both insert.
    auto changed = conn.exec(
        "INSERT INTO files (id, tenant_id, purpose, filename, bytes, created_at) VALUES ($1, "
        "$2::bigint, $3, $4, $5::bigint, $6::bigint) ON CONFLICT (id) DO UPDATE SET purpose = "
        "excluded.purpose, filename = excluded.filename, bytes = excluded.bytes, created_at = "
        "excluded.created_at WHERE files.tenant_id = excluded.tenant_id",
        {file.id, tenant, file.purpose, file.filename, bytes, created});
    if (!changed) return changed.error();
    if (changed->affected_rows() == 0) {
      return make_error(ErrorCode::kConflict, "file id " + file.id + " is taken");
    }
    return {};
  });
}

Result<std::optional<FileRecord>> PostgresStore::get_file(std::optional<std::int64_t> tenant_id,
                                                          std::string_view file_id) {
  const std::string sql =
      "SELECT " + std::string(kFileColumns) +
      " FROM files WHERE id = $1 AND ($2::bigint < 0 OR tenant_id = $2::bigint)";
  const std::string tenant = tenant_or_any(tenant_id);
  return with_connection([&](PgConnection& conn) -> Result<std::optional<FileRecord>> {
    auto r = conn.exec(sql, {file_id, tenant});
    if (!r) return r.error();
    std::vector<FileRecord> files = read_files(r.value());
    if (files.empty()) return std::optional<FileRecord>();
    return std::optional<FileRecord>(std::move(files.front()));
  });
}

Result<std::vector<FileRecord>> PostgresStore::list_files(const FileFilter& filter) {
  if (Status s = check_file_filter(filter); !s) return s.error();
  const std::string sql =
      "SELECT " + std::string(kFileColumns) +
      " FROM files WHERE ($1::bigint < 0 OR tenant_id = $1::bigint) AND ($2 = '' OR purpose = "
      "$2) AND ($3 = '' OR seq < (SELECT seq FROM files WHERE id = $3)) ORDER BY seq DESC LIMIT "
      "$4::int";
  const std::string tenant = tenant_or_any(filter.tenant_id);
  const std::string limit = std::to_string(filter.limit);
  return with_connection([&](PgConnection& conn) -> Result<std::vector<FileRecord>> {
    auto r = conn.exec(sql, {tenant, filter.purpose, filter.after_id, limit});
    if (!r) return r.error();
    return read_files(r.value());
  });
}

Result<bool> PostgresStore::delete_file(std::optional<std::int64_t> tenant_id,
                                        std::string_view file_id) {
  const std::string tenant = tenant_or_any(tenant_id);
  return with_connection([&](PgConnection& conn) -> Result<bool> {
    auto r =
        conn.exec("DELETE FROM files WHERE id = $1 AND ($2::bigint < 0 OR tenant_id = $2::bigint)",
                  {file_id, tenant});
    if (!r) return r.error();
    return r->affected_rows() > 0;
  });
}

}  // namespace osprey::store
