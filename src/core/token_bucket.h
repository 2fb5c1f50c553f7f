#pragma once
// TokenBucket: a rate limit of `rate_per_second` with bursts up to `burst`. Used for requests
// per second and for model tokens per minute: take an estimate before the call, then adjust()
// by the difference once real usage is known. The balance may go negative (debt), which makes
// later callers wait until the debt is paid off by refill.
//
// RateLimiterBackend is where per-key buckets live; TokenBucketMap is the in-process one, and
// a shared (e.g. Redis) backend can implement the same interface later.
//
// Thread-safety: TokenBucket and TokenBucketMap may be used from any thread (one small mutex
// each, sharded in the map).
#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "core/string_map.h"

namespace osprey {

struct TokenBucketOptions {
  double rate_per_second = 1.0;  // refill speed; must be > 0
  double burst = 1.0;            // capacity, and the balance of a new bucket; must be > 0

  bool operator==(const TokenBucketOptions&) const = default;
};

// Checks the options; the message names the offending field.
Status validate(const TokenBucketOptions& options);

struct TokenBucketTryResult {
  bool allowed = false;
  // Balance after this call (after the take if allowed); negative while in debt.
  double remaining = 0.0;
  // When denied: how long until the same request would be allowed, assuming nobody else takes.
  // Zero when allowed.
  std::chrono::nanoseconds retry_after{0};
  // When denied because n is more than the bucket can ever hold (n > burst): waiting will not
  // help, so retry_after is meaningless and the caller should reject the request outright.
  bool over_capacity = false;
};

class TokenBucket {
 public:
  // Starts full. Invalid options are clamped (validate() them first to report errors).
  TokenBucket(TokenBucketOptions options, const Clock& clock);
  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Takes n tokens if the balance is at least n; otherwise takes nothing. n <= 0 (or NaN) is
  // treated as 0 and always allowed.
  TokenBucketTryResult try_take(double n);
  // Gives back n tokens (e.g. a request that was admitted but never sent). Never above burst.
  void refund(double n);
  // Reconciles an estimate with reality: delta = actual - estimated. Positive delta takes more
  // unconditionally (the balance may go negative); negative delta refunds.
  void adjust(double delta);
  // The balance now (refilled up to the current time); negative while in debt.
  double remaining();
  // Changes rate and burst (e.g. after a config reload), keeping the balance (capped at the
  // new burst).
  void reconfigure(TokenBucketOptions options);
  TokenBucketOptions options() const;

 private:
  void refill_locked();  // REQUIRES mu_ held

  const Clock& clock_;
  mutable std::mutex mu_;
  // Guarded by mu_: everything below.
  TokenBucketOptions options_;
  double tokens_;
  std::chrono::steady_clock::time_point last_refill_;
};

// Per-key rate limiting. The limit travels with each call, so each key (API key, tenant) can
// have its own limit and changes apply on the next call. Fallible because a shared backend can
// be unreachable; callers decide whether to fail open or closed.
class RateLimiterBackend {
 public:
  virtual ~RateLimiterBackend() = default;
  virtual Result<TokenBucketTryResult> try_take(std::string_view key,
                                                const TokenBucketOptions& limit, double n) = 0;
  // See TokenBucket::adjust: delta = actual - estimated.
  virtual Status adjust(std::string_view key, const TokenBucketOptions& limit, double delta) = 0;
  virtual Result<double> remaining(std::string_view key, const TokenBucketOptions& limit) = 0;
};

// In-process RateLimiterBackend: one TokenBucket per key, created on first use. A bucket idle
// for `idle_ttl` that has refilled completely is dropped (a fresh one would be identical); a
// bucket in debt is kept so its debt is not forgiven. Sweeps happen during calls, at most once
// per idle_ttl per shard.
class TokenBucketMap final : public RateLimiterBackend {
 public:
  explicit TokenBucketMap(const Clock& clock,
                          std::chrono::nanoseconds idle_ttl = std::chrono::minutes(10));

  Result<TokenBucketTryResult> try_take(std::string_view key, const TokenBucketOptions& limit,
                                        double n) override;
  Status adjust(std::string_view key, const TokenBucketOptions& limit, double delta) override;
  Result<double> remaining(std::string_view key, const TokenBucketOptions& limit) override;

  // Number of live buckets (for metrics and tests).
  std::size_t size() const;
  // Drops idle, full buckets now instead of waiting for the next sweep.
  void evict_idle();

 private:
  struct Entry {
    std::unique_ptr<TokenBucket> bucket;
    std::chrono::steady_clock::time_point last_used;
  };
  struct Shard {
    mutable std::mutex mu;
    // Guarded by mu.
    StringMap<Entry> buckets;
    std::chrono::steady_clock::time_point last_sweep;
  };
  static constexpr std::size_t kShards = 16;

  Shard& shard_for(std::string_view key);
  // REQUIRES shard.mu held. Returns the key's bucket, creating or reconfiguring it.
  TokenBucket& bucket_locked(Shard& shard, std::string_view key, const TokenBucketOptions& limit);
  void sweep_locked(Shard& shard, std::chrono::steady_clock::time_point now);

  const Clock& clock_;
  const std::chrono::nanoseconds idle_ttl_;
  std::array<Shard, kShards> shards_;
};

}  // namespace osprey
