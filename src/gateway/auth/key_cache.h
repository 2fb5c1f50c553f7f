#pragma once
// KeyCache: API key hash -> what the store knows about that key, kept in memory so that
// authenticating a request costs one hash and one map lookup. Misses are filled from the store
// (load(), on a worker thread); unknown hashes are remembered briefly (negative entries) so a
// flood of bad keys does not become a flood of queries. A background poll of the store's key
// change feed drops every entry whose key or tenant changed (revoked, expired, disabled, plan
// edited) on any replica, so a change takes effect here within one refresh interval.
// Thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"
#include "gateway/principal.h"
#include "store/store.h"

namespace osprey::gateway {

struct KeyCacheOptions {
  std::chrono::milliseconds refresh_interval{1000};  // auth.key_refresh_ms
  std::chrono::milliseconds negative_ttl{1000};      // auth.negative_cache_ms
  std::size_t max_entries = 100000;                  // auth.cache_max_keys
};

// One key as the cache holds it: the store record plus its parsed plan. Immutable once built.
struct CachedKey {
  store::AuthenticatedKey record;
  bool admin = false;      // the key belongs to the admin tenant
  bool plan_valid = true;  // false: the stored plan_json does not parse (key refused)
  std::string plan_error;  // why, when !plan_valid
  UsagePlan plan;
};

// nullptr = the store has no key with this hash.
using KeyLookup = std::shared_ptr<const CachedKey>;

class KeyCache {
 public:
  KeyCache(store::Store& store, const Clock& clock, KeyCacheOptions options = {});
  ~KeyCache();  // stops the poll thread
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;

  // Non-blocking: the cached answer for `hash`, or nullopt when it must be loaded.
  std::optional<KeyLookup> peek(const std::string& hash) const;
  // Blocking (store read; call on a worker thread): reads the key, caches and returns it.
  Result<KeyLookup> load(const std::string& hash);

  // Blocking: applies the store's key changes since the last poll. Called by the poll thread,
  // and directly after a local admin change so it takes effect on this node at once.
  Status refresh();
  // Starts / stops the background poll (every refresh_interval). stop() is idempotent and must
  // run before the store closes.
  void start();
  void stop();

  std::size_t size() const;

 private:
  struct Entry {
    KeyLookup key;
    std::chrono::steady_clock::time_point expires;  // negative entries only
  };
  void insert(const std::string& hash, KeyLookup key, std::uint64_t generation);
  std::optional<std::int64_t> admin_tenant_id();

  store::Store& store_;
  const Clock& clock_;
  const KeyCacheOptions options_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  // Bumped whenever refresh() drops entries: a load that started before a drop must not put
  // back what it read (it may have read the key before the revocation).
  std::uint64_t generation_ = 0;

  std::mutex refresh_mu_;          // one refresh at a time
  std::int64_t seen_version_ = 0;  // highest key version applied (under refresh_mu_)
  std::atomic<std::int64_t> admin_tenant_id_{0};

  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stopping_ = false;
  std::thread poll_thread_;
};

}  // namespace osprey::gateway
