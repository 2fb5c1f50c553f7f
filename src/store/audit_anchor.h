#pragma once
// The audit anchor: Store::append_audit sets the setting kAuditAnchorSetting to
// audit_anchor_value(entry) of the newest entry in the same transaction as the append, so that
// `osprey audit verify` can tell that the newest entries were deleted (the chain alone cannot).
#include <string>
#include <string_view>

#include "core/audit_chain.h"

namespace osprey::store {

inline constexpr std::string_view kAuditAnchorSetting = "audit.anchor";

// "<seq>:<hash>".
inline std::string audit_anchor_value(const AuditEntry& entry) {
  return std::to_string(entry.seq) + ":" + entry.hash;
}

}  // namespace osprey::store
