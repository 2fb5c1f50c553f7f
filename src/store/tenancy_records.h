#pragma once
// Records of the tenancy tables (tenants, API keys, usage ledger, spend counters) as they cross
// the Store boundary. Money is integer micro-USD (1 USD = 1,000,000) so sums are exact on both
// backends. Timestamps are ISO-8601 UTC text with milliseconds ("2026-11-25T13:55:00.000Z").
#include <cstdint>
#include <optional>
#include <string>

namespace osprey::store {

struct Tenant {
  std::int64_t id = 0;
  std::string name;       // unique
  std::string tags_json;  // JSON object of string values, e.g. {"team":"search","project":"qa"}
  bool disabled = false;
  std::string created_at;
};

struct NewApiKey {
  std::int64_t tenant_id = 0;
  std::string name;       // label chosen by the admin ("ci", "notebook"); may be empty
  std::string prefix;     // core::api_key_prefix of the key, shown in listings
  std::string hash;       // core::api_key_hash of the key: the only copy of the secret
  std::string plan_json;  // usage plan (rates, budget, priority, models); a JSON object
  std::optional<std::string> expires_at;
};

// A key as listings show it: no hash, so an admin listing cannot leak lookup material.
struct ApiKeyInfo {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string name;
  std::string prefix;
  std::string plan_json;
  std::optional<std::string> expires_at;
  std::optional<std::string> revoked_at;
  std::string created_at;
  std::int64_t version = 0;  // bumped on every change of the key or its tenant
};

// What authentication needs for one presented key. The caller decides what revoked, expired
// or disabled means for the request.
struct AuthenticatedKey {
  ApiKeyInfo key;
  Tenant tenant;
};

// One entry of list_key_changes_since: carries the hash because a replica's auth cache is keyed
// by it and must drop revoked keys.
struct ApiKeyChange {
  ApiKeyInfo key;
  std::string hash;
  bool tenant_disabled = false;
};

struct UsageRecord {
  std::string at;  // when the request finished
  std::int64_t tenant_id = 0;
  std::int64_t key_id = 0;
  std::string model;
  std::string deployment;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t cost_micros = 0;
  std::int64_t latency_ms = 0;
  int status = 0;  // HTTP status sent to the client
  bool cache_hit = false;
};

enum class UsageGroupBy { kTenant, kTag, kModel, kDay };

struct UsageFilter {
  std::optional<std::int64_t> tenant_id;
  std::string from_day;  // "YYYY-MM-DD", inclusive; empty = no lower bound
  std::string to_day;    // "YYYY-MM-DD", exclusive; empty = no upper bound
  std::string tag_key;   // REQUIRED for UsageGroupBy::kTag: which tag ("team")
};

// One group of aggregate_usage, ordered by `group`: the tenant name, the tag value ("" for
// tenants without that tag), the model, or the day "YYYY-MM-DD".
struct UsageAggregate {
  std::string group;
  std::int64_t requests = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t cost_micros = 0;
  std::int64_t cache_hits = 0;

  bool operator==(const UsageAggregate&) const = default;
};

// A tenant's budget counter for one month ("YYYY-MM"): settled spend plus open reservations.
struct SpendCounter {
  std::int64_t spent_micros = 0;
  std::int64_t reserved_micros = 0;
};

struct NewAuditEntry {
  std::string at;  // empty: the store's clock
  std::string actor;
  std::string action;
  std::string target;
  std::string detail_json = "{}";
};

}  // namespace osprey::store
