// Usage plans: every field parsed and rendered back, errors naming the field.
#include "gateway/auth/usage_plan_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace osprey::gateway {
namespace {

using json = nlohmann::json;

std::string error_of(const std::string& text) {
  Result<UsagePlan> plan = parse_usage_plan_text(text);
  return plan ? std::string("(parsed)") : plan.error().message;
}

TEST(UsagePlanJson, ParsesEveryField) {
  Result<UsagePlan> plan = parse_usage_plan_text(
      R"({"requests_per_second":5,"burst":10.5,"tokens_per_minute":20000,"max_concurrent":4,
          "monthly_budget_usd":25.5,"priority":"high","allowed_models":["a","b"]})");
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->requests_per_second, 5);
  EXPECT_EQ(plan->burst, 10.5);
  EXPECT_EQ(plan->tokens_per_minute, 20000);
  EXPECT_EQ(plan->max_concurrent, 4);
  EXPECT_EQ(plan->monthly_budget_micros, 25'500'000);
  EXPECT_EQ(plan->priority, PriorityClass::kHigh);
  EXPECT_EQ(plan->allowed_models, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(plan->allows_model("a"));
  EXPECT_FALSE(plan->allows_model("c"));
}

TEST(UsagePlanJson, EmptyMeansUnlimited) {
  for (const char* text : {"", "{}"}) {
    Result<UsagePlan> plan = parse_usage_plan_text(text);
    ASSERT_TRUE(plan.ok()) << text;
    EXPECT_EQ(plan->requests_per_second, 0);
    EXPECT_EQ(plan->monthly_budget_micros, 0);
    EXPECT_EQ(plan->priority, PriorityClass::kNormal);
    EXPECT_TRUE(plan->allows_model("anything"));
  }
}

TEST(UsagePlanJson, BudgetRoundsToWholeMicros) {
  Result<UsagePlan> plan = parse_usage_plan_text(R"({"monthly_budget_usd":0.0000015})");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->monthly_budget_micros, 2);
}

TEST(UsagePlanJson, ErrorsNameTheField) {
  EXPECT_EQ(error_of(R"({"requests_per_second":-1})"),
            "plan.requests_per_second: must be a number >= 0");
  EXPECT_EQ(error_of(R"({"burst":"10"})"), "plan.burst: must be a number >= 0");
  EXPECT_EQ(error_of(R"({"tokens_per_minute":1.5})"),
            "plan.tokens_per_minute: must be an integer >= 0");
  EXPECT_EQ(error_of(R"({"max_concurrent":-2})"), "plan.max_concurrent: must be an integer >= 0");
  EXPECT_EQ(error_of(R"({"max_concurrent":3000000000})"),
            "plan.max_concurrent: must be at most 2147483647");
  EXPECT_EQ(error_of(R"({"monthly_budget_usd":1e13})"),
            "plan.monthly_budget_usd: must be at most 1e12");
  EXPECT_EQ(error_of(R"({"priority":"urgent"})"),
            "plan.priority: must be \"high\", \"normal\" or \"low\"");
  EXPECT_EQ(error_of(R"({"allowed_models":"gpt"})"),
            "plan.allowed_models: must be a list of model names");
  EXPECT_EQ(error_of(R"({"allowed_models":["ok",""]})"),
            "plan.allowed_models[1]: must be a non-empty model name");
  EXPECT_NE(
      error_of(R"({"requests_per_minute":5})").find("plan.requests_per_minute: unknown field"),
      std::string::npos);
  EXPECT_EQ(error_of("[1]"), "plan: must be a JSON object");
  EXPECT_EQ(error_of("{nope"), "plan: not valid JSON");
  Result<UsagePlan> bad = parse_usage_plan_text(R"({"burst":-1})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidRequest);
}

TEST(UsagePlanJson, RenderRoundTrips) {
  UsagePlan plan;
  plan.requests_per_second = 2.5;
  plan.burst = 7;
  plan.tokens_per_minute = 1234;
  plan.max_concurrent = 3;
  plan.monthly_budget_micros = 12'340'000;
  plan.priority = PriorityClass::kLow;
  plan.allowed_models = {"m1"};
  const json rendered = render_usage_plan(plan);
  EXPECT_EQ(rendered["priority"], "low");
  EXPECT_EQ(rendered["monthly_budget_usd"], 12.34);
  Result<UsagePlan> back = parse_usage_plan(rendered);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->requests_per_second, plan.requests_per_second);
  EXPECT_EQ(back->burst, plan.burst);
  EXPECT_EQ(back->tokens_per_minute, plan.tokens_per_minute);
  EXPECT_EQ(back->max_concurrent, plan.max_concurrent);
  EXPECT_EQ(back->monthly_budget_micros, plan.monthly_budget_micros);
  EXPECT_EQ(back->priority, plan.priority);
  EXPECT_EQ(back->allowed_models, plan.allowed_models);
}

}  // namespace
}  // namespace osprey::gateway
