#include "router/health_checker.h"

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

#include "core/log.h"
#include "net/concurrent_tasks.h"

namespace osprey::router {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

// Bounds one idle wait so a reload that adds deployments is noticed within a second.
constexpr milliseconds kMaxIdle{1000};

}  // namespace

HealthChecker::HealthChecker(TableSource tables, const Clock& clock, SleepFunction sleep)
    : tables_(std::move(tables)), clock_(clock), sleep_(std::move(sleep)) {}

void HealthChecker::stop() { stop_token_->cancel(); }

net::Task<void> HealthChecker::probe(Deployment& d) {
  providers::CallContext ctx;
  ctx.request_id = "health-check:" + d.id();
  ctx.cancel = stop_token_;
  ctx.deadline = clock_.now() + d.health_config().timeout;
  std::optional<Status> status;
  try {
    status.emplace(co_await d.provider().probe(ctx));
  } catch (const std::exception& e) {
    status.emplace(make_error(ErrorCode::kInternal, std::string("probe failed: ") + e.what()));
  }
  if (stopped()) co_return;  // a probe cut short by stop() says nothing about the upstream
  const bool ok = status->ok();
  if (!d.state().health().record_probe(ok)) co_return;
  d.metrics().healthy.set(ok ? 1 : 0);
  if (ok) {
    log::warn("deployment_healthy",
              {{"model", d.model()}, {"deployment", d.id()}, {"reason", "probe succeeded"}});
  } else {
    log::warn("deployment_unhealthy", {{"model", d.model()},
                                       {"deployment", d.id()},
                                       {"reason", code_name(status->code())},
                                       {"message", status->error().message}});
  }
}

net::Task<void> HealthChecker::probe_and_reschedule(std::shared_ptr<Deployment> d) {
  co_await probe(*d);
  d->next_probe().store((clock_.now() + d->health_config().interval).time_since_epoch().count());
}

net::Task<void> HealthChecker::run() {
  while (!stopped()) {
    std::shared_ptr<const ModelTable> table = tables_();
    milliseconds wait = kMaxIdle;
    if (table) {
      std::vector<net::TaskFactory> due;
      for (const auto& d : table->all_deployments()) {
        if (!d->health_config().enabled) continue;
        const auto next = d->next_probe().load();
        if (next == 0 || clock_.now() >= TimePoint(TimePoint::duration(next))) {
          due.push_back([this, d] { return probe_and_reschedule(d); });
        }
      }
      if (!due.empty()) co_await net::run_concurrently(std::move(due), kMaxProbesInFlight);
      if (stopped()) break;
      for (const auto& d : table->all_deployments()) {
        if (!d->health_config().enabled) continue;
        const TimePoint next{TimePoint::duration(d->next_probe().load())};
        wait = std::min(wait, std::chrono::duration_cast<milliseconds>(next - clock_.now()));
      }
    }
    if (stopped()) break;
    wait = std::max(wait, milliseconds(1));
    co_await sleep_(wait, stop_token_);
  }
}

}  // namespace osprey::router
