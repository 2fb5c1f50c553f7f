#include "jobs/chat_caller.h"

namespace osprey::jobs {

ItemResult item_failure(const providers::UpstreamError& error) {
  Outcome outcome = Outcome::kRetryable;
  switch (error.code) {
    case ErrorCode::kRateLimited:
    case ErrorCode::kUpstreamRateLimited:
    case ErrorCode::kQueueFull:
      outcome = Outcome::kRateLimited;
      break;
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kContentDenied:
    case ErrorCode::kNotFound:
    case ErrorCode::kForbidden:
    case ErrorCode::kBudgetExceeded:
    case ErrorCode::kPayloadTooLarge:
      outcome = Outcome::kPermanent;
      break;
    default:
      break;
  }
  ItemResult result =
      ItemResult::failure(outcome, std::string(code_name(error.code)), error.message);
  if (outcome != Outcome::kPermanent) result.retry_after = error.retry_after;
  return result;
}

ItemResult item_failure(const Error& error) {
  return item_failure(providers::UpstreamError{.code = error.code, .message = error.message});
}

}  // namespace osprey::jobs
