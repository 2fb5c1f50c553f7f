#include "gateway/audit/audit_queue.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "core/log.h"
#include "core/thread_role.h"

namespace osprey::gateway {
namespace {

std::string with_count(const std::string& detail_json, std::int64_t count) {
  nlohmann::json detail = parse_json(detail_json);
  if (!detail.is_object()) detail = nlohmann::json::object();
  detail["count"] = count;
  return detail.dump();
}

}  // namespace

AuditQueue::AuditQueue(store::Store& store, AuditQueueOptions options)
    : store_(store), options_(options) {}

AuditQueue::~AuditQueue() { stop(); }

void AuditQueue::append(store::NewAuditEntry entry) {
  std::lock_guard lock(mu_);
  if (pending_.size() >= options_.max_pending) {
    ++dropped_;
    return;
  }
  pending_.push_back(Pending{std::move(entry), {}, 1});
}

void AuditQueue::append_coalesced(const std::string& coalesce_key, store::NewAuditEntry entry) {
  std::lock_guard lock(mu_);
  if (auto it = coalesced_.find(coalesce_key); it != coalesced_.end()) {
    ++pending_[it->second].count;
    return;
  }
  if (pending_.size() >= options_.max_pending) {
    ++dropped_;
    return;
  }
  coalesced_.emplace(coalesce_key, pending_.size());
  pending_.push_back(Pending{std::move(entry), coalesce_key, 1});
}

Status AuditQueue::flush() {
  std::lock_guard flush_lock(flush_mu_);
  std::vector<Pending> batch;
  std::int64_t dropped = 0;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
    coalesced_.clear();
    std::swap(dropped, dropped_);
  }
  if (dropped > 0) {
    batch.push_back(Pending{store::NewAuditEntry{.at = {},
                                                 .actor = "system",
                                                 .action = "audit.dropped",
                                                 .target = {},
                                                 .detail_json = "{}"},
                            {},
                            dropped});
  }
  Status result;
  for (Pending& p : batch) {
    if (!p.coalesce_key.empty() || p.count > 1) {
      p.entry.detail_json = with_count(p.entry.detail_json, p.count);
    }
    Result<AuditEntry> written = store_.append_audit(p.entry);
    if (!written) {
      // The store is failing: say so once per flush and keep going (entries are independent).
      if (result.ok()) {
        log::error("audit_append_failed",
                   {{"action", p.entry.action}, {"error", written.error().message}});
      }
      result = written.error();
    }
  }
  return result;
}

void AuditQueue::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    set_current_thread_role("osprey-audit");
    std::unique_lock wait_lock(mu_);
    while (!stopping_) {
      cv_.wait_for(wait_lock, options_.flush_interval, [this] { return stopping_; });
      wait_lock.unlock();
      (void)flush();
      wait_lock.lock();
    }
  });
}

void AuditQueue::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)flush();
}

}  // namespace osprey::gateway
