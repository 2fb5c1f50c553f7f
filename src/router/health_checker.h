#pragma once
// HealthChecker: the active health checks. One loop walks every deployment of the current
// model table, probes those that are due (Provider::probe: model-list endpoints, never tokens),
// feeds the result to the deployment's HealthTracker, and logs and counts every transition.
// The due probes of a round run concurrently (at most kMaxProbesInFlight at a time) on the
// loop's executor, each bounded by its own timeout, so a hanging upstream never holds up the
// other probes of its round; the next round starts once every probe of this one has ended.
// Thread-safety: run() is one coroutine; stop() may be called from any thread.
#include <cstddef>
#include <functional>
#include <memory>

#include "core/clock.h"
#include "net/cancel_token.h"
#include "net/task.h"
#include "router/deployment.h"
#include "router/model_table.h"
#include "router/sleep_function.h"

namespace osprey::router {

class HealthChecker {
 public:
  using TableSource = std::function<std::shared_ptr<const ModelTable>()>;

  static constexpr std::size_t kMaxProbesInFlight = 16;

  HealthChecker(TableSource tables, const Clock& clock, SleepFunction sleep);

  // Probes until stop(). Deployments whose health checks are disabled are never probed (and stay
  // healthy); new deployments (first load, reload) are probed at once.
  net::Task<void> run();
  // Ends run() promptly, cancelling a probe in flight. Idempotent.
  void stop();
  bool stopped() const { return stop_token_->cancelled(); }

  // One probe of `deployment` now (run() calls it when due).
  net::Task<void> probe(Deployment& deployment);

 private:
  // probe() and then schedule the deployment's next probe.
  net::Task<void> probe_and_reschedule(std::shared_ptr<Deployment> deployment);

  TableSource tables_;
  const Clock& clock_;
  SleepFunction sleep_;
  // Fired by stop(): ends the wait between rounds and cancels the probes in flight.
  const std::shared_ptr<net::CancelToken> stop_token_ = std::make_shared<net::CancelToken>();
};

}  // namespace osprey::router
