#include "gateway/limits/rate_limit_stage.h"

#include <algorithm>
#include <cmath>

#include "core/log.h"

namespace osprey::gateway {
namespace {

std::string requests_bucket(std::int64_t key_id) { return "req:" + std::to_string(key_id); }
std::string tokens_bucket(std::int64_t key_id) { return "tok:" + std::to_string(key_id); }

std::int64_t ceil_seconds(std::chrono::nanoseconds d) {
  const double s = std::chrono::duration<double>(d).count();
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(s)));
}

std::string whole(double v) {
  return std::to_string(static_cast<std::int64_t>(std::floor(std::max(0.0, v))));
}

// limit, remaining and reset headers of one bucket; `kind` is "requests" or "tokens".
void add_bucket_headers(HeaderList& headers, const char* kind, const TokenBucketOptions& limit,
                        double remaining) {
  const std::string k = kind;
  headers.emplace_back("x-ratelimit-limit-" + k, whole(limit.burst));
  headers.emplace_back("x-ratelimit-remaining-" + k, whole(remaining));
  const double missing = std::max(0.0, limit.burst - remaining);
  headers.emplace_back("x-ratelimit-reset-" + k, format_reset(missing / limit.rate_per_second));
}

RateLimitDecision reject(RateLimitDecision d, const char* reason, std::string message,
                         std::int64_t retry_after) {
  d.reason = reason;
  d.rejection = make_error(ErrorCode::kRateLimited, std::move(message));
  d.retry_after_seconds = retry_after;
  d.headers.emplace_back("retry-after", std::to_string(retry_after));
  d.grant = {};
  return d;
}

// A backend failure must not take the API down with it: the limit is skipped (fail open).
void log_backend_error(const Error& error) {
  log::warn("rate_limiter_unavailable", {{"error", error.message}});
}

}  // namespace

std::string format_reset(double seconds) {
  // Integer arithmetic instead of snprintf: two of these go on every rate-limited answer.
  if (!(seconds > 0)) return "0s";
  if (seconds < 1) return std::to_string(static_cast<int>(std::ceil(seconds * 1000))) + "ms";
  if (seconds < 60) {
    const auto millis = static_cast<std::int64_t>(std::ceil(seconds * 1000));
    std::string text = std::to_string(millis / 1000);
    if (std::int64_t frac = millis % 1000; frac != 0) {
      int digits = 3;
      while (frac % 10 == 0) {
        frac /= 10;
        --digits;
      }
      const std::string f = std::to_string(frac);
      text += '.';
      text.append(static_cast<std::size_t>(digits) - f.size(), '0');
      text += f;
    }
    return text + "s";
  }
  const auto total = static_cast<std::int64_t>(std::ceil(seconds));
  return std::to_string(total / 60) + "m" + std::to_string(total % 60) + "s";
}

RateLimitStage::RateLimitStage(RateLimiterBackend& buckets, ConcurrencyLimiter& concurrency)
    : buckets_(buckets), concurrency_(concurrency) {}

std::optional<TokenBucketOptions> RateLimitStage::requests_limit(const UsagePlan& plan) {
  if (!(plan.requests_per_second > 0)) return std::nullopt;
  const double burst = plan.burst > 0 ? plan.burst : std::max(1.0, plan.requests_per_second);
  return TokenBucketOptions{.rate_per_second = plan.requests_per_second, .burst = burst};
}

std::optional<TokenBucketOptions> RateLimitStage::tokens_limit(const UsagePlan& plan) {
  if (plan.tokens_per_minute <= 0) return std::nullopt;
  const auto tpm = static_cast<double>(plan.tokens_per_minute);
  return TokenBucketOptions{.rate_per_second = tpm / 60.0, .burst = tpm};
}

RateLimitDecision RateLimitStage::admit(const Principal& principal, std::int64_t estimated_tokens) {
  const UsagePlan& plan = principal.plan;
  RateLimitDecision d;
  d.grant.key_id = principal.key_id;

  if (plan.max_concurrent > 0) {
    if (!concurrency_.try_acquire(principal.key_id, plan.max_concurrent)) {
      return reject(std::move(d), "concurrency",
                    "too many concurrent requests for this key (max_concurrent " +
                        std::to_string(plan.max_concurrent) + ")",
                    1);
    }
    d.grant.holds_slot = true;
  }
  // Undoes what admit() took so far when a later check refuses.
  bool took_request = false;
  const auto undo = [&] {
    if (d.grant.holds_slot) concurrency_.release(principal.key_id);
    if (took_request)
      (void)buckets_.adjust(requests_bucket(principal.key_id), *requests_limit(plan), -1.0);
  };

  if (std::optional<TokenBucketOptions> limit = requests_limit(plan)) {
    Result<TokenBucketTryResult> taken =
        buckets_.try_take(requests_bucket(principal.key_id), *limit, 1.0);
    if (!taken) {
      log_backend_error(taken.error());
    } else {
      add_bucket_headers(d.headers, "requests", *limit, taken->remaining);
      if (!taken->allowed) {
        undo();
        return reject(std::move(d), "requests",
                      "rate limit reached for requests (" + whole(limit->rate_per_second) +
                          "/s, burst " + whole(limit->burst) + ")",
                      ceil_seconds(taken->retry_after));
      }
      took_request = true;
    }
  }

  if (std::optional<TokenBucketOptions> limit = tokens_limit(plan)) {
    // An estimate above the whole allowance waits for a full bucket rather than failing forever;
    // the reconcile then charges the rest.
    const double want =
        std::min(static_cast<double>(std::max<std::int64_t>(estimated_tokens, 0)), limit->burst);
    Result<TokenBucketTryResult> taken =
        buckets_.try_take(tokens_bucket(principal.key_id), *limit, want);
    if (!taken) {
      log_backend_error(taken.error());
    } else {
      add_bucket_headers(d.headers, "tokens", *limit, taken->remaining);
      if (!taken->allowed) {
        undo();
        return reject(std::move(d), "tokens",
                      "rate limit reached for tokens (" + whole(limit->burst) +
                          " per minute; this request needs about " + whole(want) + ")",
                      ceil_seconds(taken->retry_after));
      }
      d.grant.tokens_limit = *limit;
      d.grant.tokens_taken = want;
    }
  }
  return d;
}

void RateLimitStage::release(const RateLimitGrant& grant,
                             std::optional<std::int64_t> actual_tokens) {
  if (grant.holds_slot) concurrency_.release(grant.key_id);
  if (grant.tokens_limit && actual_tokens) {
    const double delta = static_cast<double>(*actual_tokens) - grant.tokens_taken;
    if (delta != 0) {
      Status st = buckets_.adjust(tokens_bucket(grant.key_id), *grant.tokens_limit, delta);
      if (!st.ok()) log_backend_error(st.error());
    }
  }
}

}  // namespace osprey::gateway
