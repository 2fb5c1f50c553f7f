#pragma once
// What happens to an item after one attempt: the engine's retry rules in one pure function.
//   success       → done
//   permanent     → dead at once (retrying cannot help)
//   retryable     → retry after capped exponential backoff with full jitter, or dead when this
//                   was the last attempt
//   rate_limited  → deferred without spending the attempt, for max(Retry-After, backoff)
// Thread-safe as long as each thread passes its own generator.
#include <chrono>
#include <random>

#include "core/retry_policy.h"
#include "core/rng.h"
#include "jobs/workload.h"

namespace osprey::jobs {

enum class Transition { kDone, kRetry, kDefer, kDead };

struct RetryDecision {
  Transition transition = Transition::kDone;
  std::chrono::milliseconds delay{0};  // kRetry, kDefer
};

// `attempt` is the attempt that just ended (1-based); `max_attempts` >= 1. Uses the policy's
// base_delay and max_delay (its total_deadline does not apply to jobs).
RetryDecision decide_retry(const ItemResult& result, int attempt, int max_attempts,
                           const RetryPolicy& policy, Rng& rng);

}  // namespace osprey::jobs
