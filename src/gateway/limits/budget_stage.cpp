#include "gateway/limits/budget_stage.h"

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "store/tenancy_input.h"

namespace osprey::gateway {
namespace {

std::string alert_setting(std::int64_t tenant_id, const std::string& month) {
  return "limits.budget_alert." + std::to_string(tenant_id) + "." + month;
}

std::string usd(std::int64_t micros) {
  const nlohmann::json v = static_cast<double>(micros) / 1e6;
  return v.dump();
}

}  // namespace

BudgetStage::BudgetStage(store::Store& store, const Clock& clock, metrics::Registry& metrics,
                         double alert_ratio)
    : store_(store),
      clock_(clock),
      alert_ratio_(alert_ratio),
      blocks_(metrics.counter("osprey_budget_blocks_total",
                              "Requests refused because the tenant's monthly budget was reached",
                              {"tenant"})),
      alerts_(metrics.counter("osprey_budget_alerts_total",
                              "Tenant-months whose spend crossed limits.budget_alert_ratio",
                              {"tenant"})) {}

std::string BudgetStage::utc_month(std::chrono::system_clock::time_point time) {
  return store::format_timestamp(time).substr(0, 7);
}

Result<BudgetReservation> BudgetStage::reserve(const Principal& principal,
                                               std::int64_t estimated_micros) {
  BudgetReservation r;
  const std::int64_t budget = principal.plan.monthly_budget_micros;
  if (budget <= 0) return r;
  r.tenant_id = principal.tenant_id;
  r.tenant_name = principal.tenant_name;
  r.month = utc_month(clock_.wall_now());
  r.reserved_micros = std::max<std::int64_t>(estimated_micros, 0);
  r.budget_micros = budget;
  Result<bool> reserved = store_.reserve_spend(r.tenant_id, r.month, r.reserved_micros, budget);
  if (!reserved) {
    log::error("budget_reserve_failed",
               {{"tenant", r.tenant_name}, {"error", reserved.error().message}});
    return make_error(ErrorCode::kStoreError, "cannot check the budget: store unavailable");
  }
  if (reserved.value()) {
    r.active = true;
    return r;
  }
  blocks_.with({r.tenant_name}).inc();
  log::warn("budget_block", {{"tenant", r.tenant_name},
                             {"key", principal.key_prefix},
                             {"month", r.month},
                             {"budget_usd", usd(budget)},
                             {"estimated_usd", usd(r.reserved_micros)}});
  store::NewAuditEntry audit;
  audit.actor = "key:" + principal.key_prefix;
  audit.action = "budget.block";
  audit.target = "tenant:" + r.tenant_name;
  audit.detail_json = nlohmann::json{
      {"month", r.month},
      {"budget_micros", budget},
      {"estimated_micros",
       r.reserved_micros}}.dump();
  if (Result<AuditEntry> appended = store_.append_audit(audit); !appended) {
    log::error("audit_append_failed",
               {{"action", audit.action}, {"error", appended.error().message}});
  }
  return make_error(ErrorCode::kBudgetExceeded, "monthly budget of tenant '" + r.tenant_name +
                                                    "' reached (" + usd(budget) + " USD in " +
                                                    r.month + ")");
}

void BudgetStage::settle(const BudgetReservation& reservation, std::int64_t actual_micros) {
  if (!reservation.active) return;
  Status st =
      store_.settle_spend(reservation.tenant_id, reservation.month, reservation.reserved_micros,
                          std::max<std::int64_t>(0, actual_micros));
  if (!st.ok()) {
    // The reservation stays counted against the budget: safe side, never an overshoot.
    log::error("budget_settle_failed",
               {{"tenant", reservation.tenant_name}, {"error", st.error().message}});
    return;
  }
  check_alert(reservation);
}

void BudgetStage::check_alert(const BudgetReservation& reservation) {
  const auto key = std::make_pair(reservation.tenant_id, reservation.month);
  {
    std::lock_guard lock(mu_);
    if (alerted_.count(key) != 0) return;
  }
  Result<store::SpendCounter> spend = store_.get_spend(reservation.tenant_id, reservation.month);
  if (!spend) return;
  const double threshold = alert_ratio_ * static_cast<double>(reservation.budget_micros);
  if (static_cast<double>(spend->spent_micros) < threshold) return;
  const std::string at = store::format_timestamp(clock_.wall_now());
  Result<bool> first =
      store_.put_setting_if_absent(alert_setting(reservation.tenant_id, reservation.month), at);
  if (!first) return;  // retried on the next settle
  {
    std::lock_guard lock(mu_);
    if (!alerted_.insert(key).second) return;
  }
  if (!first.value()) return;  // another replica (or an earlier run) raised it
  alerts_.with({reservation.tenant_name}).inc();
  log::warn("budget_alert", {{"tenant", reservation.tenant_name},
                             {"month", reservation.month},
                             {"spent_usd", usd(spend->spent_micros)},
                             {"budget_usd", usd(reservation.budget_micros)},
                             {"ratio", alert_ratio_}});
}

}  // namespace osprey::gateway
