#pragma once
// Audit hash chain: each audit entry's hash covers the previous entry's hash and the entry's own
// fields, so editing, deleting or reordering any stored entry breaks the chain from that point.
// Pure functions, thread-safe. The store computes hashes when appending; `osprey audit verify`
// re-checks them with verify_audit_chain.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace osprey {

// prev_hash of the first entry of a log: 64 zeros.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct AuditEntry {
  std::int64_t seq = 0;     // 1, 2, 3, ... without gaps
  std::string at;           // ISO-8601 UTC time, as written by the appender
  std::string actor;        // who: "admin:alice", "key:osp_ab12cd34", "system"
  std::string action;       // what: "key.create", "key.auth_failed", "budget.block", ...
  std::string target;       // on what: "tenant:acme", "key:42", "" if none
  std::string detail_json;  // free-form JSON text, hashed as the exact bytes stored
  std::string prev_hash;    // hash of entry seq-1 (kAuditGenesisHash for seq 1)
  std::string hash;         // audit_entry_hash(prev_hash, this entry)
};

// Lowercase hex SHA-256(prev_hash || canonical JSON of {action, actor, at, detail, seq,
// target}). Canonical: keys sorted, no whitespace, strings escaped by nlohmann::json::dump.
std::string audit_entry_hash(std::string_view prev_hash, const AuditEntry& entry);

// Where a verified window of the log starts: seq 1 and the genesis hash for a full log, or the
// seq and hash following an already verified window.
struct AuditChainStart {
  std::int64_t seq = 1;
  std::string prev_hash = std::string(kAuditGenesisHash);
};

// Checks `entries` (in stored order) form an unbroken chain from `start`. The error (kConflict)
// names the first bad entry and why: its content was edited (hash mismatch), an entry before it
// is missing (seq gap) or entries were reordered (seq out of order / prev_hash mismatch).
// Deleting entries at the end of the log is invisible to the chain itself: compare the last
// seq and hash with a copy kept elsewhere for that.
Status verify_audit_chain(std::span<const AuditEntry> entries, const AuditChainStart& start = {});

}  // namespace osprey
