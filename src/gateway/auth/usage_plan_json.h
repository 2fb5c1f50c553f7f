#pragma once
// A key's usage plan as stored (ApiKeyInfo::plan_json) and as the admin API accepts it:
// {"requests_per_second":5,"burst":10,"tokens_per_minute":20000,"max_concurrent":4,
//  "monthly_budget_usd":25.5,"priority":"high","allowed_models":["gpt-4o-mini"]}.
// Every field is optional (absent or 0 = no limit); unknown fields are rejected so a typo never
// silently removes a limit. Pure functions, thread-safe.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "gateway/principal.h"

namespace osprey::gateway {

// Parses a plan object. Errors are kInvalidRequest naming the field with `path` in front
// ("plan.burst: must be a number >= 0").
Result<UsagePlan> parse_usage_plan(const nlohmann::json& plan, std::string_view path = "plan");
// The same from JSON text (the stored plan_json); empty text is the unlimited plan.
Result<UsagePlan> parse_usage_plan_text(std::string_view text, std::string_view path = "plan");

// Renders every field, so a listing shows the effective plan. Round-trips through
// parse_usage_plan.
nlohmann::json render_usage_plan(const UsagePlan& plan);

std::string_view priority_name(PriorityClass priority);

}  // namespace osprey::gateway
