#pragma once
// LimitsRuntime: owns everything behind the limits stage for one `osprey serve` process: the
// in-process rate-limit buckets and concurrency counters, the budget stage, the usage-ledger
// writer and the LimitsStage the chat route calls. Built once from the `limits:` and `pricing:`
// sections (read at start-up; a reload does not change them). start() before serving; stop()
// after the server drained and the WorkerPool joined (pending settlements are done), before
// the store closes: it writes every queued ledger row.
#include <memory>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "core/token_bucket.h"
#include "gateway/limits/budget_stage.h"
#include "gateway/limits/concurrency_limiter.h"
#include "gateway/limits/limits_stage.h"
#include "gateway/usage/usage_ledger.h"
#include "net/worker_pool.h"
#include "store/store.h"

namespace osprey::gateway {

class LimitsRuntime {
 public:
  // Parses the sections; errors name the key (kConfigInvalid).
  static Result<std::unique_ptr<LimitsRuntime>> build(const nlohmann::json& sections,
                                                      store::Store& store, net::WorkerPool& workers,
                                                      metrics::Registry& metrics,
                                                      const Clock& clock);

  void start();
  void stop();

  const LimitsStage& stage() const { return *stage_; }
  UsageLedger& ledger() { return *ledger_; }

 private:
  LimitsRuntime() = default;

  std::unique_ptr<TokenBucketMap> buckets_;
  std::unique_ptr<ConcurrencyLimiter> concurrency_;
  std::unique_ptr<BudgetStage> budget_;
  std::unique_ptr<UsageLedger> ledger_;
  std::unique_ptr<LimitsStage> stage_;
};

}  // namespace osprey::gateway
