#pragma once
// OutstandingGuard: counts one request as in flight on a deployment for as long as the guard
// lives, so the least-outstanding balancer sees it and no error path can leak the count.
// Move-only; not thread-safe itself (one request owns it), the counter it touches is atomic.
// REQUIRES: the guard does not outlive its deployment.
#include <utility>

#include "router/deployment_state.h"

namespace osprey::router {

class [[nodiscard]] OutstandingGuard {
 public:
  OutstandingGuard() = default;
  explicit OutstandingGuard(DeploymentState& deployment) : deployment_(&deployment) {
    deployment_->outstanding_.fetch_add(1, std::memory_order_relaxed);
  }
  OutstandingGuard(OutstandingGuard&& other) noexcept
      : deployment_(std::exchange(other.deployment_, nullptr)) {}
  OutstandingGuard& operator=(OutstandingGuard&& other) noexcept {
    if (this != &other) {
      release();
      deployment_ = std::exchange(other.deployment_, nullptr);
    }
    return *this;
  }
  OutstandingGuard(const OutstandingGuard&) = delete;
  OutstandingGuard& operator=(const OutstandingGuard&) = delete;
  ~OutstandingGuard() { release(); }

  // Ends the request early (e.g. before a retry on another deployment). Idempotent.
  void release() {
    if (deployment_ != nullptr) {
      std::exchange(deployment_, nullptr)->outstanding_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  DeploymentState* deployment() const { return deployment_; }

 private:
  DeploymentState* deployment_ = nullptr;
};

}  // namespace osprey::router
