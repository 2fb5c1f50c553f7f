#pragma once
// Checks and normal forms for tenancy inputs, shared by both backends so they accept and
// reject exactly the same values. Errors are kInvalidRequest and name the field.
#include <chrono>
#include <string>
#include <string_view>

#include "core/audit_chain.h"
#include "core/result.h"
#include "store/tenancy_records.h"

namespace osprey::store {

// A JSON object whose values are all strings (tags feed GROUP BY, which wants one type).
Status check_tags_json(std::string_view tags_json);
// Any JSON object (API key plans, audit details).
Status check_json_object(std::string_view field, std::string_view json);
// Tag keys are spliced into a JSON path, so only [A-Za-z0-9_-]{1,64}.
Status check_tag_key(std::string_view key);
// True for "YYYY-MM-DDTHH:MM:SS.fffZ", the form normalize_timestamp returns unchanged.
bool is_canonical_timestamp(std::string_view text);
// "YYYY-MM-DDTHH:MM:SS[.fff]Z" → "YYYY-MM-DDTHH:MM:SS.fffZ" (the form both backends return).
Result<std::string> normalize_timestamp(std::string_view field, std::string_view text);
Status check_day(std::string_view field, std::string_view day);      // "YYYY-MM-DD"
Status check_month(std::string_view field, std::string_view month);  // "YYYY-MM"
Status check_name(std::string_view field, std::string_view name);    // 1..200 bytes, no NUL
Status check_usage_record(const UsageRecord& record);
Status check_usage_filter(const UsageFilter& filter, UsageGroupBy group_by);

// ISO-8601 UTC with milliseconds (core/utc_timestamp.h).
std::string format_timestamp(std::chrono::system_clock::time_point time);

// Checks a new audit entry and returns it with its timestamp in normal form (now when empty);
// the backend fills seq, prev_hash and hash inside its write transaction.
Result<AuditEntry> prepare_audit_entry(const NewAuditEntry& input);

}  // namespace osprey::store
