#include "gateway/limits/limits_runtime.h"

namespace osprey::gateway {

Result<std::unique_ptr<LimitsRuntime>> LimitsRuntime::build(const nlohmann::json& sections,
                                                            store::Store& store,
                                                            net::WorkerPool& workers,
                                                            metrics::Registry& metrics,
                                                            const Clock& clock) {
  Result<LimitsConfig> config = parse_limits_config(sections);
  if (!config) return config.error();
  Result<PriceTable> prices = parse_price_table(sections);
  if (!prices) return prices.error();

  std::unique_ptr<LimitsRuntime> r(new LimitsRuntime());
  r->buckets_ = std::make_unique<TokenBucketMap>(clock);
  r->concurrency_ = std::make_unique<ConcurrencyLimiter>();
  r->budget_ = std::make_unique<BudgetStage>(store, clock, metrics, config->budget_alert_ratio);
  UsageLedgerOptions ledger;
  ledger.flush_interval = config->ledger_flush;
  ledger.batch_size = static_cast<std::size_t>(config->ledger_batch_size);
  ledger.max_pending = static_cast<std::size_t>(config->ledger_max_pending);
  r->ledger_ = std::make_unique<UsageLedger>(store, metrics, ledger);
  r->stage_ = std::make_unique<LimitsStage>(LimitsStageDeps{.config = config.value(),
                                                            .prices = std::move(prices.value()),
                                                            .buckets = *r->buckets_,
                                                            .concurrency = *r->concurrency_,
                                                            .budget = *r->budget_,
                                                            .workers = workers,
                                                            .ledger = *r->ledger_,
                                                            .clock = clock,
                                                            .metrics = metrics});
  return r;
}

void LimitsRuntime::start() { ledger_->start(); }

void LimitsRuntime::stop() { ledger_->stop(); }

}  // namespace osprey::gateway
