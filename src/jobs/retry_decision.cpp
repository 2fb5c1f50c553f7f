#include "jobs/retry_decision.h"

#include <algorithm>

namespace osprey::jobs {

RetryDecision decide_retry(const ItemResult& result, int attempt, int max_attempts,
                           const RetryPolicy& policy, Rng& rng) {
  attempt = std::max(attempt, 1);
  switch (result.outcome) {
    case Outcome::kSuccess:
      return {Transition::kDone, {}};
    case Outcome::kPermanent:
      return {Transition::kDead, {}};
    case Outcome::kRateLimited: {
      // The upstream's own pace decides: its Retry-After is a floor on a jittered backoff, so
      // many deferred items do not come back in one burst.
      auto delay = backoff_delay(policy, attempt - 1, rng);
      if (result.retry_after) delay = std::max(delay, *result.retry_after);
      return {Transition::kDefer, delay};
    }
    case Outcome::kRetryable:
      break;
  }
  if (attempt >= max_attempts) return {Transition::kDead, {}};
  auto delay = backoff_delay(policy, attempt - 1, rng);
  if (result.retry_after) delay = std::max(delay, *result.retry_after);
  return {Transition::kRetry, delay};
}

}  // namespace osprey::jobs
