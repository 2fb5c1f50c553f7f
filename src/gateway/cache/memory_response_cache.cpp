#include "gateway/cache/memory_response_cache.h"

#include <utility>

namespace osprey::gateway {

MemoryResponseCache::MemoryResponseCache(std::size_t max_bytes, std::chrono::milliseconds ttl,
                                         const Clock& clock, CacheMetrics* metrics)
    : max_bytes_(max_bytes), ttl_(ttl), clock_(clock), metrics_(metrics) {}

std::shared_ptr<const CachedAnswer> MemoryResponseCache::get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  Lru::iterator it = found->second;
  if (clock_.now() - it->stored_at >= ttl_) {
    erase_locked(it);
    if (metrics_ != nullptr) metrics_->evicted_expired.inc();
    publish_locked();
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it);
  return it->answer;
}

void MemoryResponseCache::put(std::string key, CachedAnswer answer) {
  const std::size_t size = key.size() + answer.bytes();
  std::lock_guard lock(mu_);
  if (auto found = index_.find(key); found != index_.end()) erase_locked(found->second);
  if (size > max_bytes_) {
    publish_locked();
    return;
  }
  while (bytes_ + size > max_bytes_ && !lru_.empty()) {
    erase_locked(std::prev(lru_.end()));
    if (metrics_ != nullptr) metrics_->evicted_lru.inc();
  }
  lru_.push_front(
      Entry{key, std::make_shared<const CachedAnswer>(std::move(answer)), size, clock_.now()});
  index_.emplace(std::move(key), lru_.begin());
  bytes_ += size;
  publish_locked();
}

std::size_t MemoryResponseCache::erase_matching(const CacheInvalidation& which) {
  std::lock_guard lock(mu_);
  std::size_t dropped = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    const CachedAnswer& a = *it->answer;
    const bool match = (!which.model || a.requested_model == *which.model) &&
                       (!which.tenant_id || a.tenant_id == *which.tenant_id);
    auto next = std::next(it);
    if (match) {
      erase_locked(it);
      ++dropped;
    }
    it = next;
  }
  if (metrics_ != nullptr) metrics_->evicted_invalidated.inc(static_cast<double>(dropped));
  publish_locked();
  return dropped;
}

std::size_t MemoryResponseCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

std::size_t MemoryResponseCache::entries() const {
  std::lock_guard lock(mu_);
  return index_.size();
}

net::Task<std::shared_ptr<const CachedAnswer>> MemoryResponseCache::lookup(std::string key) {
  co_return get(key);
}

void MemoryResponseCache::store(std::string key, CachedAnswer answer) {
  put(std::move(key), std::move(answer));
}

net::Task<std::size_t> MemoryResponseCache::invalidate(CacheInvalidation which) {
  co_return erase_matching(which);
}

void MemoryResponseCache::erase_locked(Lru::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

void MemoryResponseCache::publish_locked() {
  if (metrics_ == nullptr) return;
  metrics_->bytes.set(static_cast<double>(bytes_));
  metrics_->entries.set(static_cast<double>(index_.size()));
}

}  // namespace osprey::gateway
