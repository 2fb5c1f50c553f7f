#include "gateway/auth/usage_plan_json.h"

#include <cmath>
#include <limits>

#include "core/json_parse.h"

namespace osprey::gateway {
namespace {

constexpr std::int64_t kMicrosPerUsd = 1'000'000;
// Far above any real plan, and small enough that micros stay exact in a double and an int64.
constexpr double kMaxBudgetUsd = 1e12;

Error field_error(std::string_view path, std::string_view field, std::string_view message) {
  return make_error(ErrorCode::kInvalidRequest,
                    std::string(path) + "." + std::string(field) + ": " + std::string(message));
}

Result<double> non_negative_number(const nlohmann::json& value, std::string_view path,
                                   std::string_view field) {
  if (!value.is_number()) return field_error(path, field, "must be a number >= 0");
  const double d = value.get<double>();
  if (!std::isfinite(d) || d < 0) return field_error(path, field, "must be a number >= 0");
  return d;
}

Result<std::int64_t> non_negative_integer(const nlohmann::json& value, std::string_view path,
                                          std::string_view field, std::int64_t max) {
  if (value.is_number_unsigned() || value.is_number_integer()) {
    if (value.is_number_integer() && !value.is_number_unsigned() && value.get<std::int64_t>() < 0) {
      return field_error(path, field, "must be an integer >= 0");
    }
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      return field_error(path, field, "must be at most " + std::to_string(max));
    }
    const std::int64_t n = value.get<std::int64_t>();
    if (n > max) return field_error(path, field, "must be at most " + std::to_string(max));
    return n;
  }
  return field_error(path, field, "must be an integer >= 0");
}

}  // namespace

std::string_view priority_name(PriorityClass priority) {
  switch (priority) {
    case PriorityClass::kHigh:
      return "high";
    case PriorityClass::kLow:
      return "low";
    case PriorityClass::kNormal:
      break;
  }
  return "normal";
}

Result<UsagePlan> parse_usage_plan(const nlohmann::json& plan, std::string_view path) {
  if (!plan.is_object()) {
    return make_error(ErrorCode::kInvalidRequest, std::string(path) + ": must be a JSON object");
  }
  UsagePlan out;
  for (const auto& [field, value] : plan.items()) {
    if (field == "requests_per_second") {
      Result<double> d = non_negative_number(value, path, field);
      if (!d) return d.error();
      out.requests_per_second = *d;
    } else if (field == "burst") {
      Result<double> d = non_negative_number(value, path, field);
      if (!d) return d.error();
      out.burst = *d;
    } else if (field == "tokens_per_minute") {
      Result<std::int64_t> n =
          non_negative_integer(value, path, field, std::numeric_limits<std::int64_t>::max());
      if (!n) return n.error();
      out.tokens_per_minute = *n;
    } else if (field == "max_concurrent") {
      Result<std::int64_t> n =
          non_negative_integer(value, path, field, std::numeric_limits<int>::max());
      if (!n) return n.error();
      out.max_concurrent = static_cast<int>(*n);
    } else if (field == "monthly_budget_usd") {
      Result<double> d = non_negative_number(value, path, field);
      if (!d) return d.error();
      if (*d > kMaxBudgetUsd) return field_error(path, field, "must be at most 1e12");
      out.monthly_budget_micros = static_cast<std::int64_t>(std::llround(*d * kMicrosPerUsd));
    } else if (field == "priority") {
      const std::string name = value.is_string() ? value.get<std::string>() : std::string();
      if (name == "high") {
        out.priority = PriorityClass::kHigh;
      } else if (name == "normal") {
        out.priority = PriorityClass::kNormal;
      } else if (name == "low") {
        out.priority = PriorityClass::kLow;
      } else {
        return field_error(path, field, "must be \"high\", \"normal\" or \"low\"");
      }
    } else if (field == "allowed_models") {
      if (!value.is_array()) return field_error(path, field, "must be a list of model names");
      for (std::size_t i = 0; i < value.size(); ++i) {
        const nlohmann::json& model = value[i];
        if (!model.is_string() || model.get<std::string>().empty()) {
          return field_error(path, field + "[" + std::to_string(i) + "]",
                             "must be a non-empty model name");
        }
        out.allowed_models.push_back(model.get<std::string>());
      }
    } else {
      return field_error(path, field,
                         "unknown field (known: requests_per_second, burst, tokens_per_minute, "
                         "max_concurrent, monthly_budget_usd, priority, allowed_models)");
    }
  }
  return out;
}

Result<UsagePlan> parse_usage_plan_text(std::string_view text, std::string_view path) {
  if (text.empty()) return UsagePlan{};
  nlohmann::json plan = parse_json(text);
  if (plan.is_discarded()) {
    return make_error(ErrorCode::kInvalidRequest, std::string(path) + ": " + json_refusal(text));
  }
  return parse_usage_plan(plan, path);
}

nlohmann::json render_usage_plan(const UsagePlan& plan) {
  return {{"requests_per_second", plan.requests_per_second},
          {"burst", plan.burst},
          {"tokens_per_minute", plan.tokens_per_minute},
          {"max_concurrent", plan.max_concurrent},
          {"monthly_budget_usd", static_cast<double>(plan.monthly_budget_micros) / kMicrosPerUsd},
          {"priority", priority_name(plan.priority)},
          {"allowed_models", plan.allowed_models}};
}

}  // namespace osprey::gateway
