// SqliteStore: the files table (who owns which stored file).
#include "store/file_input.h"
#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_store.h"

namespace osprey::store {
namespace {

constexpr std::string_view kFileColumns = "id, tenant_id, purpose, filename, bytes, created_at";

FileRecord read_file(const SqliteStatement& s) {
  return FileRecord{s.column_text(0), s.column_int64(1), s.column_text(2),
                    s.column_text(3), s.column_int64(4), s.column_int64(5)};
}

// -1 stands for "any tenant" in the queries below.
std::int64_t tenant_or_any(std::optional<std::int64_t> tenant_id) { return tenant_id.value_or(-1); }

}  // namespace

Status SqliteStore::put_file(const FileRecord& file) {
  if (Status s = check_file_record(file); !s) return s;
  return with_writer([&](SqliteConnection& conn) -> Status {
    return sqlite_transaction(conn, [&]() -> Status {
      if (Status s = sqlite_require_tenant(conn, file.tenant_id); !s) return s;
      auto changed = sqlite_execute(
          conn,
          "INSERT INTO files (id, tenant_id, purpose, filename, bytes, created_at) VALUES (?1, ?2, "
          "?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET purpose = excluded.purpose, filename = "
          "excluded.filename, bytes = excluded.bytes, created_at = excluded.created_at WHERE "
          "files.tenant_id = excluded.tenant_id",
          file.id, file.tenant_id, file.purpose, file.filename, file.bytes, file.created_at);
      if (!changed) return changed.error();
      if (*changed == 0) {
        return make_error(ErrorCode::kConflict, "file id " + file.id + " is taken");
      }
      return {};
    });
  });
}

Result<std::optional<FileRecord>> SqliteStore::get_file(std::optional<std::int64_t> tenant_id,
                                                        std::string_view file_id) {
  const std::string sql = "SELECT " + std::string(kFileColumns) +
                          " FROM files WHERE id = ?1 AND (?2 < 0 OR tenant_id = ?2)";
  return with_reader([&](SqliteConnection& conn) -> Result<std::optional<FileRecord>> {
    auto stmt = sqlite_prepare_bound(conn, sql, file_id, tenant_or_any(tenant_id));
    if (!stmt) return stmt.error();
    auto files = sqlite_read_rows<FileRecord>(**stmt, read_file);
    if (!files) return files.error();
    if (files->empty()) return std::optional<FileRecord>();
    return std::optional<FileRecord>(std::move(files->front()));
  });
}

Result<std::vector<FileRecord>> SqliteStore::list_files(const FileFilter& filter) {
  if (Status s = check_file_filter(filter); !s) return s.error();
  const std::string sql =
      "SELECT " + std::string(kFileColumns) +
      " FROM files WHERE (?1 < 0 OR tenant_id = ?1) AND (?2 = '' OR purpose = ?2) AND (?3 = '' "
      "OR seq < (SELECT seq FROM files WHERE id = ?3)) ORDER BY seq DESC LIMIT ?4";
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<FileRecord>> {
    auto stmt = sqlite_prepare_bound(conn, sql, tenant_or_any(filter.tenant_id), filter.purpose,
                                     filter.after_id, filter.limit);
    if (!stmt) return stmt.error();
    return sqlite_read_rows<FileRecord>(**stmt, read_file);
  });
}

Result<bool> SqliteStore::delete_file(std::optional<std::int64_t> tenant_id,
                                      std::string_view file_id) {
  return with_writer([&](SqliteConnection& conn) -> Result<bool> {
    auto deleted =
        sqlite_execute(conn, "DELETE FROM files WHERE id = ?1 AND (?2 < 0 OR tenant_id = ?2)",
                       file_id, tenant_or_any(tenant_id));
    if (!deleted) return deleted.error();
    return *deleted > 0;
  });
}

}  // namespace osprey::store
