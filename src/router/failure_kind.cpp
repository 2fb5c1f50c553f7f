#include "router/failure_kind.h"

namespace osprey::router {

FailureKind classify(const providers::UpstreamError& error, const providers::CallContext& ctx) {
  if (error.code == ErrorCode::kClientClosed || (ctx.cancel && ctx.cancel->cancelled())) {
    return FailureKind::kCancelled;
  }
  if (error.code == ErrorCode::kInvalidRequest || error.code == ErrorCode::kPayloadTooLarge ||
      error.http_status == 400 || error.http_status == 413 || error.http_status == 422) {
    return FailureKind::kInvalidRequest;
  }
  if (error.retryable) return FailureKind::kRetryable;
  return FailureKind::kDeploymentFault;
}

std::string_view outcome_label(FailureKind kind) {
  switch (kind) {
    case FailureKind::kCancelled:
      return "cancelled";
    case FailureKind::kInvalidRequest:
      return "invalid_request";
    case FailureKind::kRetryable:
    case FailureKind::kDeploymentFault:
      return "error";
  }
  return "error";
}

}  // namespace osprey::router
