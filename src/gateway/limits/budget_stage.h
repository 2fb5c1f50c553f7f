#pragma once
// BudgetStage: a tenant's monthly spend limit (UsagePlan::monthly_budget_micros, calendar month
// in UTC). Before a call it reserves the estimated cost atomically in the store, so concurrent
// requests on any replica cannot overshoot; after the call it settles the reservation with the
// real cost. A refusal is 429 `budget_exceeded` and an audit entry ("budget.block"). Crossing
// `alert_ratio` of the budget logs one WARN `budget_alert` and counts one
// osprey_budget_alerts_total per tenant-month, across replicas (guarded by a store setting).
// Every method BLOCKS on the store: call from a WorkerPool thread. Thread-safe.
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "gateway/principal.h"
#include "store/store.h"

namespace osprey::gateway {

// An open reservation; settle() it exactly once. Inactive (nothing reserved) for plans
// without a budget.
struct BudgetReservation {
  bool active = false;
  std::int64_t tenant_id = 0;
  std::string tenant_name;
  std::string month;  // "YYYY-MM"
  std::int64_t reserved_micros = 0;
  std::int64_t budget_micros = 0;
};

class BudgetStage {
 public:
  BudgetStage(store::Store& store, const Clock& clock, metrics::Registry& metrics,
              double alert_ratio);

  // kBudgetExceeded when the month's spend plus open reservations plus this estimate would pass
  // the budget; kStoreError when the store fails (the request is refused: budgets fail closed).
  Result<BudgetReservation> reserve(const Principal& principal, std::int64_t estimated_micros);
  // Releases the reservation and records the real cost, then checks the alert threshold.
  void settle(const BudgetReservation& reservation, std::int64_t actual_micros);

  // "YYYY-MM" of a time, in UTC.
  static std::string utc_month(std::chrono::system_clock::time_point time);

 private:
  void check_alert(const BudgetReservation& reservation);

  store::Store& store_;
  const Clock& clock_;
  const double alert_ratio_;
  metrics::Family<metrics::Counter>& blocks_;
  metrics::Family<metrics::Counter>& alerts_;
  std::mutex mu_;
  // Guarded by mu_: (tenant, month) pairs whose alert is known to be raised, by any replica.
  std::set<std::pair<std::int64_t, std::string>> alerted_;
};

}  // namespace osprey::gateway
