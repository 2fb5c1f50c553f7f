#include "router/deployment_state.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace osprey::router {
namespace {

constexpr double kMinWeight = 1e-9;

double sanitized_weight(double weight) {
  return (weight > 0.0 && std::isfinite(weight)) ? std::max(weight, kMinWeight) : kMinWeight;
}

Status with_prefix(const std::string& id, Status status) {
  if (status.ok()) return status;
  return make_error(status.code(), "deployment '" + id + "': " + status.error().message);
}

}  // namespace

Status validate(const DeploymentOptions& o) {
  if (o.id.empty()) return make_error(ErrorCode::kConfigInvalid, "deployment.id must be set");
  if (!(o.weight > 0.0) || !std::isfinite(o.weight)) {
    return make_error(ErrorCode::kConfigInvalid,
                      "deployment '" + o.id + "': weight must be a positive number");
  }
  if (auto status = with_prefix(o.id, validate(o.breaker)); !status.ok()) return status;
  return with_prefix(o.id, validate(o.health));
}

DeploymentState::DeploymentState(DeploymentOptions options, const Clock& clock,
                                 CircuitBreaker::StateChangeCallback on_breaker_change)
    : id_(std::move(options.id)),
      weight_(sanitized_weight(options.weight)),
      health_(options.health),
      breaker_(options.breaker, clock, std::move(on_breaker_change)) {}

}  // namespace osprey::router
