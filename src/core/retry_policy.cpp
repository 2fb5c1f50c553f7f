#include "core/retry_policy.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace osprey {
namespace {

// Highest shift applied to base_delay; 2^62 ms already exceeds any representable max_delay.
constexpr int kMaxShift = 62;

std::chrono::milliseconds backoff_cap(const RetryPolicy& policy, int attempt) {
  const std::int64_t base = std::max<std::int64_t>(0, policy.base_delay.count());
  const std::int64_t max = std::max<std::int64_t>(0, policy.max_delay.count());
  const int shift = std::clamp(attempt, 0, kMaxShift);
  // base << shift would overflow exactly when base > (max >> shift) for the capped result, so
  // compare before shifting.
  if (base > (max >> shift)) return std::chrono::milliseconds(max);
  return std::chrono::milliseconds(base << shift);
}

}  // namespace

Status validate(const RetryPolicy& policy) {
  if (policy.max_attempts < 1) {
    return make_error(ErrorCode::kConfigInvalid, "retry.max_attempts must be at least 1, got " +
                                                     std::to_string(policy.max_attempts));
  }
  if (policy.base_delay.count() < 0) {
    return make_error(ErrorCode::kConfigInvalid, "retry.base_delay must not be negative");
  }
  if (policy.max_delay < policy.base_delay) {
    return make_error(ErrorCode::kConfigInvalid,
                      "retry.max_delay must be at least retry.base_delay");
  }
  if (policy.total_deadline.count() <= 0) {
    return make_error(ErrorCode::kConfigInvalid, "retry.total_deadline must be positive");
  }
  return {};
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, Rng& rng) {
  const std::chrono::milliseconds cap = backoff_cap(policy, attempt);
  if (cap.count() == 0) return cap;
  std::uniform_int_distribution<std::int64_t> dist(0, cap.count());
  return std::chrono::milliseconds(dist(rng));
}

std::optional<std::chrono::milliseconds> next_retry_delay(
    const RetryPolicy& policy, int attempts_made, std::chrono::milliseconds elapsed,
    std::optional<std::chrono::milliseconds> retry_after, Rng& rng) {
  if (attempts_made < 1) attempts_made = 1;
  if (attempts_made >= policy.max_attempts) return std::nullopt;
  if (elapsed.count() < 0) elapsed = std::chrono::milliseconds(0);
  if (elapsed >= policy.total_deadline) return std::nullopt;

  std::chrono::milliseconds delay = backoff_delay(policy, attempts_made - 1, rng);
  if (retry_after && *retry_after > delay) delay = *retry_after;
  // Compare against the time left rather than adding, so huge Retry-After values cannot
  // overflow.
  if (delay >= policy.total_deadline - elapsed) return std::nullopt;
  return delay;
}

}  // namespace osprey
