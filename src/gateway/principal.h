#pragma once
// Principal: who is calling, as the pipeline stages after authentication see it: the tenant, the
// key and the key's usage plan. Built by the auth stage from the store's AuthenticatedKey (the
// plan is parsed from the key's plan_json); read by rate limits, budgets, cache scoping,
// admission priority and the usage ledger. Plain values; copy freely.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace osprey::gateway {

// Admission order: a queued kHigh request is served before any queued kNormal, and so on.
enum class PriorityClass { kHigh = 0, kNormal = 1, kLow = 2 };

// A key's usage plan. Zero means "no limit" for every numeric field.
struct UsagePlan {
  double requests_per_second = 0;  // token bucket refill rate for requests
  double burst = 0;                // bucket capacity; 0 = max(1, requests_per_second)
  std::int64_t tokens_per_minute = 0;
  int max_concurrent = 0;                  // requests in flight for this key
  std::int64_t monthly_budget_micros = 0;  // tenant budget per calendar month (UTC), micro-USD
  PriorityClass priority = PriorityClass::kNormal;
  std::vector<std::string> allowed_models;  // public model names; empty = every model

  bool allows_model(std::string_view model) const {
    if (allowed_models.empty()) return true;
    for (const auto& m : allowed_models) {
      if (m == model) return true;
    }
    return false;
  }
};

struct Principal {
  std::int64_t tenant_id = 0;
  std::string tenant_name;
  std::string tenant_tags_json = "{}";
  std::int64_t key_id = 0;
  std::string key_prefix;  // visible prefix, safe for logs
  bool admin = false;      // may call /admin/*; sees every tenant there
  UsagePlan plan;
};

}  // namespace osprey::gateway
