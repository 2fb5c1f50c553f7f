#pragma once
// AuditQueue: writes audit entries (store::append_audit, hash-chained) from a background thread,
// so request paths that must leave a trace (a refused key, a budget block) never wait for the
// store. Floods coalesce: entries given the same coalesce key within one flush interval become
// one entry whose detail carries "count". Memory is bounded; what overflows is counted in one
// "audit.dropped" entry. Tenant and key changes do not use this queue: they append
// synchronously, next to the change they record (cache invalidations and config reloads, which
// change no stored row, do use it). Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace osprey::gateway {

struct AuditQueueOptions {
  std::chrono::milliseconds flush_interval{500};
  std::size_t max_pending = 10000;  // queued plus coalesced entries
};

class AuditQueue {
 public:
  explicit AuditQueue(store::Store& store, AuditQueueOptions options = {});
  ~AuditQueue();  // stop()
  AuditQueue(const AuditQueue&) = delete;
  AuditQueue& operator=(const AuditQueue&) = delete;

  // Queues one entry; entries are written in the order they were queued.
  void append(store::NewAuditEntry entry);
  // Queues `entry` unless one with the same `coalesce_key` is already waiting, in which case
  // that one's count goes up instead.
  void append_coalesced(const std::string& coalesce_key, store::NewAuditEntry entry);

  // Blocking: writes everything queued so far.
  Status flush();
  void start();
  // Stops the thread after a last flush. Idempotent; must run before the store closes.
  void stop();

 private:
  struct Pending {
    store::NewAuditEntry entry;
    std::string coalesce_key;  // empty: not coalesced
    std::int64_t count = 1;
  };

  store::Store& store_;
  const AuditQueueOptions options_;

  std::mutex mu_;
  std::vector<Pending> pending_;
  std::map<std::string, std::size_t> coalesced_;  // coalesce key -> index in pending_
  std::int64_t dropped_ = 0;

  std::mutex flush_mu_;  // keeps flushes in order
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace osprey::gateway
