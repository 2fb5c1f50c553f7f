#pragma once
// RetryPolicy: how often and how long to retry a failed upstream call — capped exponential
// backoff with full jitter, a Retry-After floor, and one overall deadline. Pure functions of
// their arguments (randomness comes from the caller's generator), so they are thread-safe as
// long as each thread uses its own generator.
#include <chrono>
#include <optional>
#include <random>

#include "core/result.h"
#include "core/rng.h"

namespace osprey {

struct RetryPolicy {
  // Total attempts including the first one; 1 means "never retry".
  int max_attempts = 3;
  // Upper bound of the first retry's delay; doubles with every further retry.
  std::chrono::milliseconds base_delay{100};
  // No single delay is ever longer than this.
  std::chrono::milliseconds max_delay{10'000};
  // No retry starts after this much time has passed since the first attempt began.
  std::chrono::milliseconds total_deadline{30'000};
};

// Checks the policy's fields; the message names the offending field.
Status validate(const RetryPolicy& policy);

// Full jitter: a uniform delay in [0, min(max_delay, base_delay * 2^attempt)].
// `attempt` counts from 0 (the delay before the first retry). Large attempts do not overflow,
// and negative inputs are treated as 0.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, Rng& rng);

// Decides whether to retry after `attempts_made` attempts (>= 1) that together took `elapsed`.
// Returns the delay to wait before the next attempt, or nullopt when attempts are exhausted or
// the retry would start at or after total_deadline. A server's Retry-After is a floor on the
// delay; if honouring it would pass the deadline there is no retry (retrying earlier than the
// server asked is pointless, so the caller should report the upstream's answer instead).
std::optional<std::chrono::milliseconds> next_retry_delay(
    const RetryPolicy& policy, int attempts_made, std::chrono::milliseconds elapsed,
    std::optional<std::chrono::milliseconds> retry_after, Rng& rng);

}  // namespace osprey
