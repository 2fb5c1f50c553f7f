#include "gateway/limits/limits_stage.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "core/log.h"
#include "store/tenancy_input.h"

namespace osprey::gateway {
namespace {

// The ledger refuses NUL bytes; a client-chosen model name must not poison a batch.
std::string ledger_text(std::string text) {
  if (text.find('\0') != std::string::npos) {  // rare: one memchr instead of a byte loop
    std::replace(text.begin(), text.end(), '\0', '?');
  }
  return text;
}

}  // namespace

LimitsStage::LimitsStage(LimitsStageDeps deps)
    : deps_(std::move(deps)),
      rate_limits_(deps_.buckets, deps_.concurrency),
      rejections_(deps_.metrics.counter("osprey_rate_limited_total",
                                        "Requests refused by a per-key rate limit", {"reason"})) {}

std::shared_ptr<RequestAccount> LimitsStage::open(const Principal& principal) const {
  // No tenant (authentication off): nothing to limit and no ledger row to attribute.
  if (principal.tenant_id == 0) return nullptr;
  return std::make_shared<RequestAccount>(principal, deps_.clock.now(),
                                          [this](RequestAccount& account) { close(account); });
}

net::Task<std::optional<Error>> LimitsStage::admit(RequestAccount& account,
                                                   const providers::ChatRequest& request) const {
  LimitsHold& hold = account.hold();
  account.set_model(request.model);
  hold.estimate = estimate_tokens(request, deps_.config.default_max_tokens);

  RateLimitDecision decision = rate_limits_.admit(account.principal(), hold.estimate.total());
  hold.headers = std::move(decision.headers);
  if (decision.rejection) {
    rejections_.with({decision.reason}).inc();
    co_return decision.rejection;
  }
  hold.grant = decision.grant;
  hold.admitted = true;

  if (account.principal().plan.monthly_budget_micros > 0) {
    const std::int64_t estimated_cost = deps_.prices.cost_micros(
        request.model, hold.estimate.prompt_tokens, hold.estimate.max_output_tokens);
    BudgetStage& budget = deps_.budget;
    const Principal& principal = account.principal();
    auto reserve = [&budget, &principal, estimated_cost] {
      return budget.reserve(principal, estimated_cost);
    };
    Result<BudgetReservation> reserved = co_await deps_.workers.run(reserve);
    if (!reserved) co_return reserved.error();  // closing the account gives the grant back
    hold.reservation = std::move(reserved.value());
  }
  co_return std::nullopt;
}

void LimitsStage::add_headers(const RequestAccount& account, net::Headers& headers) {
  for (const auto& [name, value] : account.hold().headers) headers.set(name, value);
}

void LimitsStage::close(RequestAccount& account) const {
  const LimitsHold& hold = account.hold();
  const bool served = account.status() >= 200 && account.status() < 300;
  // Tokens the upstream really used: its usage when known; nothing when no upstream answered.
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  if (account.usage()) {
    tokens_in = account.usage()->first;
    tokens_out = account.usage()->second;
  } else if (served && !account.cache_hit()) {
    tokens_in = hold.estimate.prompt_tokens;
  }
  // A cache hit spends nothing upstream: no tokens against the limit, no cost.
  const std::int64_t upstream_tokens = account.cache_hit() ? 0 : tokens_in + tokens_out;
  const std::int64_t cost =
      account.cache_hit() ? 0 : deps_.prices.cost_micros(account.model(), tokens_in, tokens_out);

  if (hold.admitted) rate_limits_.release(hold.grant, upstream_tokens);
  if (hold.reservation.active) {
    BudgetStage& budget = deps_.budget;
    BudgetReservation reservation = hold.reservation;
    try {
      deps_.workers.post([&budget, reservation, cost] { budget.settle(reservation, cost); });
    } catch (const std::exception& e) {
      // The pool is gone (shutdown): nothing is serving any more, so settle right here.
      log::warn("budget_settle_inline", {{"error", e.what()}});
      budget.settle(reservation, cost);
    }
  }

  store::UsageRecord row;
  row.at = store::format_timestamp(deps_.clock.wall_now());
  row.tenant_id = account.principal().tenant_id;
  row.key_id = account.principal().key_id;
  row.model = ledger_text(account.model());
  row.deployment = ledger_text(account.deployment());
  row.tokens_in = std::max<std::int64_t>(tokens_in, 0);
  row.tokens_out = std::max<std::int64_t>(tokens_out, 0);
  row.cost_micros = cost;
  row.latency_ms = std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 deps_.clock.now() - account.started())
                                                 .count());
  row.status = account.status();
  row.cache_hit = account.cache_hit();
  deps_.ledger.record(std::move(row));
}

}  // namespace osprey::gateway
