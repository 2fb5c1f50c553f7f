#pragma once
// Verifies the whole stored audit log: the hash chain from entry 1 (core/audit_chain.h), then
// the anchor the store keeps with the newest entry (store::kAuditAnchorSetting), so that
// deleting the newest entries is caught too, and optionally an anchor kept elsewhere by the
// operator ("<seq>:<hash>", as printed by a previous verify). Blocking; reads page by page.
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace osprey::gateway {

struct AuditVerified {
  std::int64_t entries = 0;
  std::string last_anchor;  // "<seq>:<hash>" of the newest entry, "" for an empty log
};

// kConflict naming the first bad entry (or the missing tail) when the log was tampered with.
Result<AuditVerified> verify_audit_log(store::Store& store,
                                       const std::optional<std::string>& external_anchor = {});

}  // namespace osprey::gateway
