#include "gateway/auth/key_cache.h"

#include <utility>
#include <vector>

#include "core/log.h"
#include "core/thread_role.h"
#include "gateway/auth/admin_bootstrap.h"
#include "gateway/auth/usage_plan_json.h"

namespace osprey::gateway {
namespace {

constexpr int kChangePage = 500;

}  // namespace

KeyCache::KeyCache(store::Store& store, const Clock& clock, KeyCacheOptions options)
    : store_(store), clock_(clock), options_(options) {}

KeyCache::~KeyCache() { stop(); }

std::optional<KeyLookup> KeyCache::peek(const std::string& hash) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(hash);
  if (it == entries_.end()) return std::nullopt;
  if (!it->second.key && clock_.now() >= it->second.expires) return std::nullopt;
  return it->second.key;
}

std::optional<std::int64_t> KeyCache::admin_tenant_id() {
  if (std::int64_t known = admin_tenant_id_.load(); known != 0) return known;
  Result<std::optional<std::int64_t>> id = read_admin_tenant_id(store_);
  if (!id || !id->has_value()) return std::nullopt;
  admin_tenant_id_.store(**id);  // never changes once written
  return **id;
}

Result<KeyLookup> KeyCache::load(const std::string& hash) {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  Result<std::optional<store::AuthenticatedKey>> found = store_.find_api_key_by_hash(hash);
  if (!found) return found.error();
  KeyLookup key;
  if (found->has_value()) {
    auto cached = std::make_shared<CachedKey>();
    cached->record = std::move(**found);
    const std::optional<std::int64_t> admin_id = admin_tenant_id();
    cached->admin = admin_id && *admin_id == cached->record.tenant.id;
    Result<UsagePlan> plan = parse_usage_plan_text(cached->record.key.plan_json);
    if (plan) {
      cached->plan = std::move(plan.value());
    } else {
      cached->plan_valid = false;
      cached->plan_error = plan.error().message;
    }
    key = std::move(cached);
  }
  insert(hash, key, generation);
  return key;
}

void KeyCache::insert(const std::string& hash, KeyLookup key, std::uint64_t generation) {
  std::lock_guard lock(mu_);
  if (generation != generation_) return;  // a change arrived meanwhile: the read may be stale
  if (entries_.size() >= options_.max_entries && !entries_.contains(hash)) {
    // Rare (more distinct keys than the bound): start over rather than track recency.
    entries_.clear();
  }
  entries_[hash] = Entry{std::move(key), clock_.now() + options_.negative_ttl};
}

Status KeyCache::refresh() {
  std::lock_guard refresh_lock(refresh_mu_);
  while (true) {
    Result<std::vector<store::ApiKeyChange>> changes =
        store_.list_key_changes_since(seen_version_, kChangePage);
    if (!changes) return changes.error();
    if (changes->empty()) return {};
    {
      std::lock_guard lock(mu_);
      ++generation_;
      for (const store::ApiKeyChange& change : *changes) entries_.erase(change.hash);
    }
    seen_version_ = changes->back().key.version;
    if (changes->size() < static_cast<std::size_t>(kChangePage)) return {};
  }
}

void KeyCache::start() {
  std::lock_guard lock(poll_mu_);
  if (poll_thread_.joinable() || stopping_) return;
  poll_thread_ = std::thread([this] {
    set_current_thread_role("osprey-keys", ThreadPriority::kBackground);
    bool failing = false;
    std::unique_lock poll_lock(poll_mu_);
    while (!stopping_) {
      poll_lock.unlock();
      Status st = refresh();
      if (!st.ok() && !failing) {
        log::warn("auth_key_refresh_failed", {{"error", st.error().message}});
      } else if (st.ok() && failing) {
        log::info("auth_key_refresh_recovered");
      }
      failing = !st.ok();
      poll_lock.lock();
      poll_cv_.wait_for(poll_lock, options_.refresh_interval, [this] { return stopping_; });
    }
  });
}

void KeyCache::stop() {
  {
    std::lock_guard lock(poll_mu_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  if (poll_thread_.joinable()) poll_thread_.join();
}

std::size_t KeyCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace osprey::gateway
