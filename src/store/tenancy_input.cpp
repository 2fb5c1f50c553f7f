#include "store/tenancy_input.h"

#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace osprey::store {
namespace {

Error invalid(std::string_view field, const std::string& why) {
  return make_error(ErrorCode::kInvalidRequest, std::string(field) + ": " + why);
}

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

Result<nlohmann::json> parse_object(std::string_view field, std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return invalid(field, "is not valid JSON");
  if (!parsed.is_object()) return invalid(field, "must be a JSON object");
  return parsed;
}

}  // namespace

Status check_tags_json(std::string_view tags_json) {
  auto parsed = parse_object("tags", tags_json);
  if (!parsed) return parsed.error();
  for (const auto& [key, value] : parsed->items()) {
    if (!value.is_string()) return invalid("tags." + key, "must be a string");
  }
  return {};
}

Status check_json_object(std::string_view field, std::string_view json) {
  auto parsed = parse_object(field, json);
  if (!parsed) return parsed.error();
  return {};
}

Status check_tag_key(std::string_view key) {
  if (key.empty() || key.size() > 64) return invalid("tag_key", "must be 1 to 64 characters");
  for (char c : key) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '-') {
      return invalid("tag_key", "may only contain letters, digits, '_' and '-'");
    }
  }
  return {};
}

bool is_canonical_timestamp(std::string_view text) {
  return matches(text, "9999-99-99T99:99:99.999Z");
}

Result<std::string> normalize_timestamp(std::string_view field, std::string_view text) {
  if (matches(text, "9999-99-99T99:99:99Z")) {
    return std::string(text.substr(0, 19)) + ".000Z";
  }
  if (is_canonical_timestamp(text)) return std::string(text);
  return invalid(field, "must be an ISO-8601 UTC time like 2026-11-25T13:55:00.000Z");
}

Status check_day(std::string_view field, std::string_view day) {
  if (!matches(day, "9999-99-99")) return invalid(field, "must be a day like 2026-11-25");
  return {};
}

Status check_month(std::string_view field, std::string_view month) {
  if (!matches(month, "9999-99")) return invalid(field, "must be a month like 2026-11");
  return {};
}

Status check_name(std::string_view field, std::string_view name) {
  if (name.empty() || name.size() > 200) return invalid(field, "must be 1 to 200 bytes");
  if (name.find('\0') != std::string_view::npos) return invalid(field, "contains a NUL byte");
  return {};
}

Status check_usage_record(const UsageRecord& record) {
  // The canonical form (what Osprey writes) is checked without building the normal form.
  if (!is_canonical_timestamp(record.at)) {
    if (auto at = normalize_timestamp("usage.at", record.at); !at) return at.error();
  }
  if (record.tokens_in < 0 || record.tokens_out < 0 || record.cost_micros < 0 ||
      record.latency_ms < 0) {
    return invalid("usage", "tokens, cost and latency cannot be negative");
  }
  if (record.model.find('\0') != std::string::npos ||
      record.deployment.find('\0') != std::string::npos) {
    return invalid("usage", "model and deployment cannot contain NUL bytes");
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
  using std::chrono::milliseconds;
  const auto since_epoch = std::chrono::duration_cast<milliseconds>(time.time_since_epoch());
  const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day ymd(day);
  const auto ms_of_day =
      since_epoch - std::chrono::duration_cast<milliseconds>(day.time_since_epoch());
  const long long ms = ms_of_day.count();
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {  // never for a real clock; the general form keeps it readable
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", year,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
    return buffer;
  }
  // Written digit by digit: this runs for every usage-ledger row (snprintf cost more than the
  // rest of the row together).
  std::string out = "0000-00-00T00:00:00.000Z";
  const auto put = [&out](std::size_t end, long long value, int width) {
    for (int i = 1; i <= width; ++i, value /= 10)
      out[end - i] = static_cast<char>('0' + value % 10);
  };
  put(4, year, 4);
  put(7, static_cast<unsigned>(ymd.month()), 2);
  put(10, static_cast<unsigned>(ymd.day()), 2);
  put(13, ms / 3600000, 2);
  put(16, ms / 60000 % 60, 2);
  put(19, ms / 1000 % 60, 2);
  put(23, ms % 1000, 3);
  return out;
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
