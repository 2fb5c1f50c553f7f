// SqliteStore: the hash-chained audit log.
#include "store/audit_anchor.h"
#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_store.h"
#include "store/tenancy_input.h"

namespace osprey::store {

Result<AuditEntry> SqliteStore::append_audit(const NewAuditEntry& input) {
  Result<AuditEntry> prepared = prepare_audit_entry(input);
  if (!prepared) return prepared.error();
  AuditEntry entry = std::move(prepared.value());
  // BEGIN IMMEDIATE holds SQLite's write lock from reading the tail to inserting the new entry,
  // so appends from other threads and processes cannot fork the chain.
  return with_writer([&](SqliteConnection& conn) -> Result<AuditEntry> {
    return sqlite_transaction(conn, [&]() -> Result<AuditEntry> {
      auto last =
          sqlite_prepare_bound(conn, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
      if (!last) return last.error();
      {
        ScopedReset reset(**last);
        auto row = (*last)->step();
        if (!row) return row.error();
        entry.seq = *row ? (*last)->column_int64(0) + 1 : 1;
        entry.prev_hash = *row ? (*last)->column_text(1) : std::string(kAuditGenesisHash);
      }
      entry.hash = audit_entry_hash(entry.prev_hash, entry);
      auto inserted = sqlite_execute(
          conn,
          "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
          entry.seq, entry.at, entry.actor, entry.action, entry.target, entry.detail_json,
          entry.prev_hash, entry.hash);
      if (!inserted) return inserted.error();
      // The anchor moves in the same transaction, so it always names the newest entry.
      const std::string anchor = audit_anchor_value(entry);
      if (Status s = sqlite_put_setting(conn, kAuditAnchorSetting, anchor); !s) return s.error();
      return entry;
    });
  });
}

Result<std::vector<AuditEntry>> SqliteStore::list_audit(std::int64_t from_seq, int limit) {
  if (limit <= 0) return make_error(ErrorCode::kInvalidRequest, "limit must be positive");
  return with_reader([&](SqliteConnection& conn) -> Result<std::vector<AuditEntry>> {
    auto stmt = sqlite_prepare_bound(conn,
                                     "SELECT seq, at, actor, action, target, detail, prev_hash, "
                                     "hash FROM audit_log WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
                                     from_seq, limit);
    if (!stmt) return stmt.error();
    ScopedReset reset(**stmt);
    std::vector<AuditEntry> entries;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      const SqliteStatement& s = **stmt;
      entries.push_back(AuditEntry{s.column_int64(0), s.column_text(1), s.column_text(2),
                                   s.column_text(3), s.column_text(4), s.column_text(5),
                                   s.column_text(6), s.column_text(7)});
    }
    return entries;
  });
}

}  // namespace osprey::store
