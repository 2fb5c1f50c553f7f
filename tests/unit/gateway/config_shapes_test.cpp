// The gateway's config sections and the usage plans admins send: any value of another type, out
// of range, missing or repeated is refused with an error naming it, never by an exception (which
// would take down a reload or an admin request instead of keeping what was there).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "gateway/admission/admission_config.h"
#include "gateway/auth/auth_config.h"
#include "gateway/auth/usage_plan_json.h"
#include "gateway/cache/cache_config.h"
#include "gateway/limits/limits_config.h"
#include "gateway/validation/validation_config.h"
#include "support/json_mutator.h"

namespace osprey::gateway {
namespace {

using json = nlohmann::json;

// Every key of every gateway section, with valid values.
json full_sections() {
  return json::parse(R"({
    "limits": {"budget_alert_ratio": 0.5, "ledger_flush_ms": 20, "ledger_batch_size": 7,
               "ledger_max_pending": 100, "default_max_tokens": 64},
    "pricing": {"default": {"input_usd_per_million": 1, "output_usd_per_million": 2},
                "models": {"gpt": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}},
    "auth": {"key_refresh_ms": 1000, "negative_cache_ms": 500, "cache_max_keys": 1000,
             "audit_flush_ms": 100},
    "cache": {"enabled": true, "max_bytes": 1048576, "ttl_ms": 2000, "shared": true,
              "cache_nondeterministic": true},
    "validation": {"schema_validation": false, "redact_pii": false,
                   "deny_rules": [{"name": "a", "pattern": "x+"},
                                  {"name": "b", "pattern": "y", "case_insensitive": true}],
                   "redact_patterns": [{"name": "employee", "pattern": "EMP-[0-9]{6}"}]},
    "admission": {"default": {"max_concurrent": 8, "queue_timeout_ms": 500},
                  "models": {"chat": {"max_concurrent": 2, "overflow_status": 503}}}
  })");
}

// Runs `parse` on mutations of `seed`: no exception, and a refusal is `refusal_code` with a
// message. Returns how many were refused.
int refusals(const json& seed, unsigned rng_seed, ErrorCode refusal_code,
             const std::function<Status(const json&)>& parse) {
  int refused = 0;
  osprey::testing::for_each_json_mutation(seed, rng_seed, 2000, [&](const json& doc) {
    Status status = Error{ErrorCode::kInternal, "not parsed"};
    EXPECT_NO_THROW(status = parse(doc)) << doc.dump();
    if (!status.ok()) {
      ++refused;
      EXPECT_EQ(status.error().code, refusal_code) << doc.dump();
      EXPECT_FALSE(status.error().message.empty()) << doc.dump();
    }
  });
  return refused;
}

template <typename T>
Status status_of(const Result<T>& r) {
  if (r.ok()) return {};
  return r.error();
}

TEST(GatewayConfigShapes, EverySectionRefusesWrongShapesWithoutAnException) {
  const json sections = full_sections();
  ASSERT_TRUE(parse_limits_config(sections).ok());
  ASSERT_TRUE(parse_price_table(sections).ok());
  ASSERT_TRUE(parse_auth_config(sections).ok());
  ASSERT_TRUE(parse_cache_config(sections).ok());
  ASSERT_TRUE(validation::parse_validation_config(sections).ok());
  ASSERT_TRUE(parse_admission_config(sections).ok());
  const int refused =
      refusals(sections, 17, ErrorCode::kConfigInvalid, [](const json& doc) -> Status {
        // Each reader sees the whole document, as serve and reload give it.
        for (const Status& s :
             {status_of(parse_limits_config(doc)), status_of(parse_price_table(doc)),
              status_of(parse_auth_config(doc)), status_of(parse_cache_config(doc)),
              status_of(validation::parse_validation_config(doc)),
              status_of(parse_admission_config(doc))}) {
          if (!s.ok()) return s;
        }
        return {};
      });
  EXPECT_GT(refused, 1000);
}

TEST(GatewayConfigShapes, UsagePlansRefuseWrongShapesWithoutAnException) {
  const json plan = json::parse(
      R"({"requests_per_second":5,"burst":10.5,"tokens_per_minute":20000,"max_concurrent":4,
          "monthly_budget_usd":25.5,"priority":"high","allowed_models":["a","b"]})");
  ASSERT_TRUE(parse_usage_plan(plan).ok());
  const int refused = refusals(plan, 19, ErrorCode::kInvalidRequest,
                               [](const json& doc) { return status_of(parse_usage_plan(doc)); });
  EXPECT_GT(refused, 500);
}

}  // namespace
}  // namespace osprey::gateway
