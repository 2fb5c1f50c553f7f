#include "core/token_bucket.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace osprey {
namespace {

// Slack for floating-point refill arithmetic, so that waiting exactly retry_after (or taking
// exactly the refilled amount) succeeds despite rounding. Far below one token.
constexpr double kEpsilon = 1e-9;
// Stand-in for an invalid (zero, negative, NaN) rate: the bucket practically never refills.
constexpr double kMinRate = 1e-9;

TokenBucketOptions sanitized(TokenBucketOptions o) {
  if (!(o.rate_per_second > 0.0) || !std::isfinite(o.rate_per_second)) {
    o.rate_per_second = kMinRate;
  }
  if (!(o.burst > 0.0) || !std::isfinite(o.burst)) o.burst = 1.0;
  return o;
}

// NaN and negative amounts become 0 so they can never corrupt a balance. +infinity stays: as a
// request it is simply over capacity.
double amount(double n) { return n > 0.0 ? n : 0.0; }

std::chrono::nanoseconds time_to_earn(double tokens, double rate) {
  const double ns = std::ceil(tokens / rate * 1e9);
  if (ns >= static_cast<double>(std::numeric_limits<std::int64_t>::max())) {
    return std::chrono::nanoseconds::max();
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
}

}  // namespace

Status validate(const TokenBucketOptions& o) {
  if (!(o.rate_per_second > 0.0) || !std::isfinite(o.rate_per_second)) {
    return make_error(ErrorCode::kConfigInvalid, "rate_per_second must be a positive number, got " +
                                                     std::to_string(o.rate_per_second));
  }
  if (!(o.burst > 0.0) || !std::isfinite(o.burst)) {
    return make_error(ErrorCode::kConfigInvalid,
                      "burst must be a positive number, got " + std::to_string(o.burst));
  }
  return {};
}

// --- TokenBucket ---

TokenBucket::TokenBucket(TokenBucketOptions options, const Clock& clock)
    : clock_(clock),
      options_(sanitized(options)),
      tokens_(options_.burst),
      last_refill_(clock.now()) {}

void TokenBucket::refill_locked() {
  const auto now = clock_.now();
  if (now <= last_refill_) return;
  const double elapsed = std::chrono::duration<double>(now - last_refill_).count();
  tokens_ = std::min(options_.burst, tokens_ + elapsed * options_.rate_per_second);
  last_refill_ = now;
}

TokenBucketTryResult TokenBucket::try_take(double n) {
  n = amount(n);
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();
  TokenBucketTryResult result;
  if (tokens_ + kEpsilon >= n) {
    tokens_ -= n;
    result.allowed = true;
  } else if (n > options_.burst + kEpsilon) {
    result.over_capacity = true;
  } else {
    result.retry_after = time_to_earn(n - tokens_, options_.rate_per_second);
  }
  result.remaining = tokens_;
  return result;
}

void TokenBucket::refund(double n) {
  n = amount(n);
  if (!std::isfinite(n)) return;
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();
  tokens_ = std::min(options_.burst, tokens_ + n);
}

void TokenBucket::adjust(double delta) {
  if (!std::isfinite(delta)) return;
  if (delta < 0.0) {
    refund(-delta);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();
  tokens_ -= delta;
}

double TokenBucket::remaining() {
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();
  return tokens_;
}

void TokenBucket::reconfigure(TokenBucketOptions options) {
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();  // earn at the old rate up to now
  options_ = sanitized(options);
  tokens_ = std::min(tokens_, options_.burst);
}

TokenBucketOptions TokenBucket::options() const {
  std::lock_guard<std::mutex> lock(mu_);
  return options_;
}

// --- TokenBucketMap ---

TokenBucketMap::TokenBucketMap(const Clock& clock, std::chrono::nanoseconds idle_ttl)
    : clock_(clock), idle_ttl_(std::max(idle_ttl, std::chrono::nanoseconds(0))) {
  for (Shard& shard : shards_) shard.last_sweep = clock_.now();
}

TokenBucketMap::Shard& TokenBucketMap::shard_for(std::string_view key) {
  return shards_[StringHash{}(key) % kShards];
}

TokenBucket& TokenBucketMap::bucket_locked(Shard& shard, std::string_view key,
                                           const TokenBucketOptions& limit) {
  const auto now = clock_.now();
  if (now - shard.last_sweep >= idle_ttl_) sweep_locked(shard, now);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    it = shard.buckets
             .emplace(std::string(key), Entry{std::make_unique<TokenBucket>(limit, clock_), now})
             .first;
  } else {
    it->second.last_used = now;
    if (!(it->second.bucket->options() == sanitized(limit))) it->second.bucket->reconfigure(limit);
  }
  return *it->second.bucket;
}

void TokenBucketMap::sweep_locked(Shard& shard, std::chrono::steady_clock::time_point now) {
  shard.last_sweep = now;
  std::erase_if(shard.buckets, [&](auto& item) {
    const Entry& entry = item.second;
    return now - entry.last_used >= idle_ttl_ &&
           entry.bucket->remaining() + kEpsilon >= entry.bucket->options().burst;
  });
}

Result<TokenBucketTryResult> TokenBucketMap::try_take(std::string_view key,
                                                      const TokenBucketOptions& limit, double n) {
  Shard& shard = shard_for(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  return bucket_locked(shard, key, limit).try_take(n);
}

Status TokenBucketMap::adjust(std::string_view key, const TokenBucketOptions& limit, double delta) {
  Shard& shard = shard_for(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  bucket_locked(shard, key, limit).adjust(delta);
  return {};
}

Result<double> TokenBucketMap::remaining(std::string_view key, const TokenBucketOptions& limit) {
  Shard& shard = shard_for(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  return bucket_locked(shard, key, limit).remaining();
}

std::size_t TokenBucketMap::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    total += shard.buckets.size();
  }
  return total;
}

void TokenBucketMap::evict_idle() {
  const auto now = clock_.now();
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    sweep_locked(shard, now);
  }
}

}  // namespace osprey
