#pragma once
// LimitsStage: the pipeline stages between validation and the cache, and the close of every
// request. open() starts a RequestAccount right after authentication; admit() applies the key's
// rate limits (RateLimitStage) and then reserves the estimated cost against the tenant's budget
// (BudgetStage, on the WorkerPool); closing the account reconciles tokens, settles the budget
// with the real cost (PriceTable) and queues one usage-ledger row (UsageLedger).
// Everything passed in must outlive the stage and every account it opened. Thread-safe.
#include <memory>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "gateway/limits/budget_stage.h"
#include "gateway/limits/limits_config.h"
#include "gateway/limits/rate_limit_stage.h"
#include "gateway/principal.h"
#include "gateway/usage/request_account.h"
#include "gateway/usage/usage_ledger.h"
#include "net/headers.h"
#include "net/task.h"
#include "net/worker_pool.h"
#include "providers/chat_types.h"

namespace osprey::gateway {

struct LimitsStageDeps {
  LimitsConfig config;
  PriceTable prices;
  RateLimiterBackend& buckets;
  ConcurrencyLimiter& concurrency;
  BudgetStage& budget;
  net::WorkerPool& workers;
  UsageLedger& ledger;
  const Clock& clock;
  metrics::Registry& metrics;
};

class LimitsStage {
 public:
  explicit LimitsStage(LimitsStageDeps deps);

  // One per authenticated request; see RequestAccount for the close. Null for a principal
  // without a tenant (tenant_id 0: authentication is off).
  std::shared_ptr<RequestAccount> open(const Principal& principal) const;
  // Rate limits, then the budget reservation. An error (rate_limited, budget_exceeded,
  // store_error) means: answer it and stop. Headers for the answer are in account.hold().
  net::Task<std::optional<Error>> admit(RequestAccount& account,
                                        const providers::ChatRequest& request) const;
  // The x-ratelimit-* (and Retry-After) headers the limits produced, onto any answer.
  static void add_headers(const RequestAccount& account, net::Headers& headers);

  // Closes an account (RequestAccount::finish calls it): reconcile, settle, ledger row.
  void close(RequestAccount& account) const;

  // What a call of `model` with this usage costs (the same price the ledger row records).
  std::int64_t cost_micros(std::string_view model, std::int64_t tokens_in,
                           std::int64_t tokens_out) const {
    return deps_.prices.cost_micros(model, tokens_in, tokens_out);
  }

 private:
  LimitsStageDeps deps_;
  mutable RateLimitStage rate_limits_;
  metrics::Family<metrics::Counter>& rejections_;
};

}  // namespace osprey::gateway
