#pragma once
// SleepFunction: how the router waits (retry backoff, health check intervals). Injected so tests
// can move a ManualClock instead of sleeping; the default sleeps for real on the caller's
// executor and wakes early when `interrupted()` turns true (client gone, router stopping).
// Thread-safety: the default is stateless; `interrupted` is polled from the sleeping coroutine.
#include <chrono>
#include <functional>

#include "net/task.h"

namespace osprey::router {

using SleepFunction = std::function<net::Task<void>(std::chrono::milliseconds duration,
                                                    std::function<bool()> interrupted)>;

// Sleeps in slices of at most 20 ms (net::sleep_for cannot be cancelled, and the router has no
// Asio timer of its own), checking `interrupted` between slices.
net::Task<void> interruptible_sleep(std::chrono::milliseconds duration,
                                    std::function<bool()> interrupted);

}  // namespace osprey::router
