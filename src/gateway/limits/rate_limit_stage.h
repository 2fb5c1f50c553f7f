#pragma once
// RateLimitStage: the per-key limits of a UsagePlan, checked before a request is sent upstream:
// max requests in flight, a requests bucket (requests_per_second, burst) and a tokens bucket
// (tokens_per_minute: refills tpm/60 a second, holds tpm). The tokens bucket is charged the
// request's estimate up front and reconciled with the real usage in release(). Answers carry
// OpenAI's x-ratelimit-* headers; rejections are 429 `rate_limited` with Retry-After.
// A plan without limits touches no shared state. Thread-safe; the backends are shared.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/token_bucket.h"
#include "gateway/limits/concurrency_limiter.h"
#include "gateway/principal.h"

namespace osprey::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What admit() took; hand it back to release() exactly once.
struct RateLimitGrant {
  std::int64_t key_id = 0;
  bool holds_slot = false;  // a max_concurrent slot
  std::optional<TokenBucketOptions> tokens_limit;
  double tokens_taken = 0;  // charged to the tokens bucket (the estimate, capped at its size)
};

struct RateLimitDecision {
  // Set when the request must be refused: kRateLimited, the message says which limit.
  std::optional<Error> rejection;
  std::int64_t retry_after_seconds = 0;  // rounded up; with a rejection
  const char* reason = "";               // with a rejection: "concurrency", "requests", "tokens"
  HeaderList headers;                    // x-ratelimit-* (and Retry-After with a rejection)
  RateLimitGrant grant;                  // empty with a rejection (nothing is held)
};

class RateLimitStage {
 public:
  RateLimitStage(RateLimiterBackend& buckets, ConcurrencyLimiter& concurrency);

  // Checks concurrency, then requests, then tokens; a refusal gives back what earlier checks
  // took. `estimated_tokens` is TokenEstimate::total().
  RateLimitDecision admit(const Principal& principal, std::int64_t estimated_tokens);
  // Frees the concurrency slot and reconciles the tokens bucket with the real usage (in + out);
  // nullopt keeps the estimate.
  void release(const RateLimitGrant& grant, std::optional<std::int64_t> actual_tokens);

  // The bucket limits a plan implies; nullopt when the plan sets no such limit.
  static std::optional<TokenBucketOptions> requests_limit(const UsagePlan& plan);
  static std::optional<TokenBucketOptions> tokens_limit(const UsagePlan& plan);

 private:
  RateLimiterBackend& buckets_;
  ConcurrencyLimiter& concurrency_;
};

// OpenAI's reset format: "20ms", "1.5s", "6m0s".
std::string format_reset(double seconds);

}  // namespace osprey::gateway
