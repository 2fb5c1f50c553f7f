#pragma once
// SleepFunction: how the router waits (retry backoff, health check intervals). Injected so tests
// can move a ManualClock instead of sleeping; the default sleeps for real on the caller's
// executor and wakes early when `cancel` fires (client gone, router stopping).
// Thread-safety: the default is stateless; `cancel` may fire from any thread.
#include <chrono>
#include <functional>
#include <memory>

#include "net/cancel_token.h"
#include "net/task.h"

namespace osprey::router {

using SleepFunction = std::function<net::Task<void>(std::chrono::milliseconds duration,
                                                    std::shared_ptr<net::CancelToken> cancel)>;

// Sleeps for `duration`, or until `cancel` (may be null) fires. One timer, no polling: an idle
// router's health checker sleeps without waking its I/O thread in between.
net::Task<void> cancellable_sleep(std::chrono::milliseconds duration,
                                  std::shared_ptr<net::CancelToken> cancel);

}  // namespace osprey::router
