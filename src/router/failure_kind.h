#pragma once
// FailureKind: what a failed upstream attempt means for the rest of the request. The one place
// that decides between "retry", "try another deployment", "give up" and "the client left".
// Pure function; thread-safe.
#include <string_view>

#include "providers/provider.h"
#include "providers/upstream_error.h"

namespace osprey::router {

enum class FailureKind {
  // The downstream client went away: stop at once, record nothing against the deployment.
  kCancelled,
  // The request itself is wrong (400, 413, 422): every deployment would say the same, so return
  // it without retry or fallback, and count the deployment as healthy (it answered).
  kInvalidRequest,
  // Connect errors, timeouts, 429, 5xx: back off (Retry-After as a floor) and try again.
  kRetryable,
  // Anything else non-retryable (401/403/404, malformed bodies): this deployment is
  // misconfigured (wrong key, wrong model id) or broken. It counts as a failure on its breaker
  // and the request moves on at once to another deployment or the fallback model.
  kDeploymentFault,
};

FailureKind classify(const providers::UpstreamError& error, const providers::CallContext& ctx);

// "cancelled", "invalid_request", "error": the `outcome` label of a failed attempt.
std::string_view outcome_label(FailureKind kind);

}  // namespace osprey::router
