#include "store/tenancy_input.h"

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "core/utc_timestamp.h"

namespace osprey::store {
namespace {

// True if `text` matches `pattern`, where '9' stands for a digit and any other character for
// itself.
bool matches(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';  // isdigit without a call per byte
    if (pattern[i] == '9' ? !digit : text[i] != pattern[i]) return false;
  }
  return true;
}

// The number in text[at, at + n), digits already checked.
int digits_at(std::string_view text, std::size_t at, std::size_t n) {
  int value = 0;
  for (std::size_t i = at; i < at + n; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// A "YYYY-MM" prefix (already shaped) names a real month; with `day`, "YYYY-MM-DD" a real day.
bool real_date(std::string_view text, bool day) {
  using namespace std::chrono;
  const auto m = month{static_cast<unsigned>(digits_at(text, 5, 2))};
  if (!day) return m.ok();
  const auto d = std::chrono::day{static_cast<unsigned>(digits_at(text, 8, 2))};
  return year_month_day{year{digits_at(text, 0, 4)}, m, d}.ok();
}

// "YYYY-MM-DDTHH:MM:SS..." (already shaped) names a real time.
bool real_time(std::string_view text) {
  return real_date(text, true) && digits_at(text, 11, 2) <= 23 && digits_at(text, 14, 2) <= 59 &&
         digits_at(text, 17, 2) <= 59;
}

Result<nlohmann::json> parse_object(std::string_view field, std::string_view json) {
  nlohmann::json parsed = parse_json(json);
  if (parsed.is_discarded()) return invalid_field(field, "is " + json_refusal(json));
  if (!parsed.is_object()) return invalid_field(field, "must be a JSON object");
  return parsed;
}

}  // namespace

Status check_tags_json(std::string_view tags_json) {
  auto parsed = parse_object("tags", tags_json);
  if (!parsed) return parsed.error();
  for (const auto& [key, value] : parsed->items()) {
    if (!value.is_string()) return invalid_field("tags." + key, "must be a string");
  }
  return {};
}

Status check_json_object(std::string_view field, std::string_view json) {
  auto parsed = parse_object(field, json);
  if (!parsed) return parsed.error();
  return {};
}

Status check_tag_key(std::string_view key) {
  if (key.empty() || key.size() > 64) return invalid_field("tag_key", "must be 1 to 64 characters");
  for (char c : key) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '-') {
      return invalid_field("tag_key", "may only contain letters, digits, '_' and '-'");
    }
  }
  return {};
}

bool is_canonical_timestamp(std::string_view text) {
  return matches(text, "9999-99-99T99:99:99.999Z") && real_time(text);
}

Result<std::string> normalize_timestamp(std::string_view field, std::string_view text) {
  if (matches(text, "9999-99-99T99:99:99Z") && real_time(text)) {
    return std::string(text.substr(0, 19)) + ".000Z";
  }
  if (is_canonical_timestamp(text)) return std::string(text);
  return invalid_field(field, "must be an ISO-8601 UTC time like 2026-11-25T13:55:00.000Z");
}

Status check_day(std::string_view field, std::string_view day) {
  if (!matches(day, "9999-99-99") || !real_date(day, true)) {
    return invalid_field(field, "must be a day like 2026-11-25");
  }
  return {};
}

Status check_month(std::string_view field, std::string_view month) {
  if (!matches(month, "9999-99") || !real_date(month, false)) {
    return invalid_field(field, "must be a month like 2026-11");
  }
  return {};
}

Status check_name(std::string_view field, std::string_view name) {
  if (name.empty() || name.size() > 200) return invalid_field(field, "must be 1 to 200 bytes");
  if (name.find('\0') != std::string_view::npos) return invalid_field(field, "contains a NUL byte");
  return {};
}

Status check_usage_record(const UsageRecord& record) {
  // The canonical form (what Osprey writes) is checked without building the normal form.
  if (!is_canonical_timestamp(record.at)) {
    if (auto at = normalize_timestamp("usage.at", record.at); !at) return at.error();
  }
  if (record.tokens_in < 0 || record.tokens_out < 0 || record.cost_micros < 0 ||
      record.latency_ms < 0) {
    return invalid_field("usage", "tokens, cost and latency cannot be negative");
  }
  if (record.model.find('\0') != std::string::npos ||
      record.deployment.find('\0') != std::string::npos) {
    return invalid_field("usage", "model and deployment cannot contain NUL bytes");
  }
  return {};
}

Status check_usage_filter(const UsageFilter& filter, UsageGroupBy group_by) {
  if (!filter.from_day.empty()) {
    if (Status s = check_day("from_day", filter.from_day); !s) return s;
  }
  if (!filter.to_day.empty()) {
    if (Status s = check_day("to_day", filter.to_day); !s) return s;
  }
  if (group_by == UsageGroupBy::kTag) return check_tag_key(filter.tag_key);
  return {};
}

std::string format_timestamp(std::chrono::system_clock::time_point time) {
  return utc_timestamp(time);
}

Result<AuditEntry> prepare_audit_entry(const NewAuditEntry& input) {
  if (Status s = check_name("audit action", input.action); !s) return s.error();
  if (Status s = check_json_object("audit detail", input.detail_json); !s) return s.error();
  AuditEntry entry;
  if (input.at.empty()) {
    entry.at = format_timestamp(std::chrono::system_clock::now());
  } else {
    auto at = normalize_timestamp("audit at", input.at);
    if (!at) return at.error();
    entry.at = *at;
  }
  entry.actor = input.actor;
  entry.action = input.action;
  entry.target = input.target;
  entry.detail_json = input.detail_json;
  return entry;
}

}  // namespace osprey::store
