#pragma once
// HealthTracker: turns a stream of active health probe results into a healthy/unhealthy flag
// with hysteresis, so one lost probe does not eject a deployment and one lucky probe does not
// bring a broken one back. Thread-safety: any thread; healthy() is a lock-free read for the
// request path, record_probe() serializes on a small mutex.
#include <atomic>
#include <chrono>
#include <mutex>

#include "core/result.h"

namespace osprey::router {

struct HealthCheckOptions {
  // How often the prober calls the deployment, and how long one probe may take.
  std::chrono::milliseconds interval{10'000};
  std::chrono::milliseconds timeout{2'000};
  // Consecutive successes that make an unhealthy deployment healthy again.
  int healthy_threshold = 2;
  // Consecutive failures that make a healthy deployment unhealthy.
  int unhealthy_threshold = 3;
};

// Checks the options; the message names the offending field.
Status validate(const HealthCheckOptions& options);

class HealthTracker {
 public:
  // Deployments start healthy so traffic flows before the first probe has run; the circuit
  // breaker protects requests in the meantime. Thresholds below 1 are treated as 1.
  HealthTracker(int healthy_threshold, int unhealthy_threshold, bool initially_healthy = true);
  explicit HealthTracker(const HealthCheckOptions& options)
      : HealthTracker(options.healthy_threshold, options.unhealthy_threshold) {}

  // Records one probe result. Returns true if this result flipped the health flag (the caller
  // logs and counts the change).
  bool record_probe(bool success);
  bool healthy() const { return healthy_.load(std::memory_order_acquire); }

 private:
  const int healthy_threshold_;
  const int unhealthy_threshold_;
  std::atomic<bool> healthy_;
  std::mutex mu_;
  // Guarded by mu_: the current streak of equal probe results.
  int successes_in_a_row_ = 0;
  int failures_in_a_row_ = 0;
};

}  // namespace osprey::router
