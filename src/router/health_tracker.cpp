#include "router/health_tracker.h"

#include <algorithm>

namespace osprey::router {

Status validate(const HealthCheckOptions& o) {
  if (o.interval.count() <= 0) {
    return make_error(ErrorCode::kConfigInvalid, "health_check.interval must be positive");
  }
  if (o.timeout.count() <= 0) {
    return make_error(ErrorCode::kConfigInvalid, "health_check.timeout must be positive");
  }
  if (o.healthy_threshold < 1) {
    return make_error(ErrorCode::kConfigInvalid,
                      "health_check.healthy_threshold must be at least 1");
  }
  if (o.unhealthy_threshold < 1) {
    return make_error(ErrorCode::kConfigInvalid,
                      "health_check.unhealthy_threshold must be at least 1");
  }
  return {};
}

HealthTracker::HealthTracker(int healthy_threshold, int unhealthy_threshold, bool initially_healthy)
    : healthy_threshold_(std::max(1, healthy_threshold)),
      unhealthy_threshold_(std::max(1, unhealthy_threshold)),
      healthy_(initially_healthy) {}

bool HealthTracker::record_probe(bool success) {
  std::lock_guard<std::mutex> lock(mu_);
  if (success) {
    failures_in_a_row_ = 0;
    ++successes_in_a_row_;
    if (!healthy() && successes_in_a_row_ >= healthy_threshold_) {
      healthy_.store(true, std::memory_order_release);
      return true;
    }
  } else {
    successes_in_a_row_ = 0;
    ++failures_in_a_row_;
    if (healthy() && failures_in_a_row_ >= unhealthy_threshold_) {
      healthy_.store(false, std::memory_order_release);
      return true;
    }
  }
  return false;
}

}  // namespace osprey::router
