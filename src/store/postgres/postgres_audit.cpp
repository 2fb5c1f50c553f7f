// PostgresStore: the hash-chained audit log.
#include "store/audit_anchor.h"
#include "store/postgres/pg_query.h"
#include "store/postgres/postgres_store.h"
#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

// Serializes appends across every replica ("ospraudt"), from reading the tail to commit.
constexpr std::string_view kAuditLockId = "8030593576574953847";

}  // namespace

Result<AuditEntry> PostgresStore::append_audit(const NewAuditEntry& input) {
  Result<AuditEntry> prepared = prepare_audit_entry(input);
  if (!prepared) return prepared.error();
  AuditEntry entry = std::move(prepared.value());
  return with_connection([&](PgConnection& conn) -> Result<AuditEntry> {
    return pg_transaction(conn, [&]() -> Result<AuditEntry> {
      if (auto locked = conn.exec("SELECT pg_advisory_xact_lock($1::bigint)", {kAuditLockId});
          !locked) {
        return locked.error();
      }
      auto last = conn.exec("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
      if (!last) return last.error();
      entry.seq = last->rows() == 1 ? std::stoll(last->text(0, 0)) + 1 : 1;
      entry.prev_hash = last->rows() == 1 ? last->text(0, 1) : std::string(kAuditGenesisHash);
      entry.hash = audit_entry_hash(entry.prev_hash, entry);
      const std::string seq = std::to_string(entry.seq);
      auto inserted = conn.exec(
          "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) "
          "VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8)",
          {seq, entry.at, entry.actor, entry.action, entry.target, entry.detail_json,
           entry.prev_hash, entry.hash});
      if (!inserted) return inserted.error();
      // The anchor moves in the same transaction, so it always names the newest entry.
      const std::string anchor = audit_anchor_value(entry);
      if (Status s = pg_put_setting(conn, kAuditAnchorSetting, anchor); !s) return s.error();
      return entry;
    });
  });
}

Result<std::vector<AuditEntry>> PostgresStore::list_audit(std::int64_t from_seq, int limit) {
  if (limit <= 0) return make_error(ErrorCode::kInvalidRequest, "limit must be positive");
  const std::string from = std::to_string(from_seq);
  const std::string max = std::to_string(limit);
  return with_connection([&](PgConnection& conn) -> Result<std::vector<AuditEntry>> {
    auto r = conn.exec(
        "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log WHERE seq "
        ">= $1::bigint ORDER BY seq LIMIT $2::int",
        {from, max});
    if (!r) return r.error();
    std::vector<AuditEntry> entries;
    for (int i = 0; i < r->rows(); ++i) {
      entries.push_back(AuditEntry{std::stoll(r->text(i, 0)), r->text(i, 1), r->text(i, 2),
                                   r->text(i, 3), r->text(i, 4), r->text(i, 5), r->text(i, 6),
                                   r->text(i, 7)});
    }
    return entries;
  });
}

}  // namespace osprey::store
