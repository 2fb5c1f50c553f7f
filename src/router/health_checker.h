#pragma once
// HealthChecker: the active health checks. One loop walks every deployment of the current
// model table, probes those that are due (Provider::probe: model-list endpoints, never tokens),
// feeds the result to the deployment's HealthTracker, and logs and counts every transition.
// Probes run one after another, so a hanging upstream delays the others by at most its probe
// timeout. Thread-safety: run() is one coroutine; stop() may be called from any thread.
#include <atomic>
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

  HealthChecker(TableSource tables, const Clock& clock, SleepFunction sleep);

  // Probes until stop(). Deployments whose health checks are disabled are never probed (and stay
  // healthy); new deployments (first load, reload) are probed at once.
  net::Task<void> run();
  // Ends run() promptly, cancelling a probe in flight. Idempotent.
  void stop();
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

  // One probe of `deployment` now (run() calls it when due).
  net::Task<void> probe(Deployment& deployment);

 private:
  TableSource tables_;
  const Clock& clock_;
  SleepFunction sleep_;
  std::atomic<bool> stopped_{false};
  std::shared_ptr<net::CancelToken> stop_token_ = std::make_shared<net::CancelToken>();
};

}  // namespace osprey::router
