#pragma once
// UsageLedger: writes one store::UsageRecord per request to the store's usage ledger off the
// hot path. record() only queues in memory; a background thread writes batches with
// Store::append_usage every `flush_interval` or as soon as `batch_size` rows wait, and rows that
// arrive during a write wait for either (the SQLite store yields the CPU within a batch, so a
// batch never holds a shared core for long). A failed write keeps the batch and retries with
// backoff (nothing is dropped unless the queue passes `max_pending`); rows the store rejects as
// invalid are dropped one by one and logged. stop() writes everything still queued before
// returning (graceful shutdown).
// Thread-safe: record() from any thread; start()/stop() from the owner.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "store/store.h"

namespace osprey::gateway {

struct UsageLedgerOptions {
  std::chrono::milliseconds flush_interval{1000};
  std::size_t batch_size = 500;
  std::size_t max_pending = 1'000'000;
  // Backoff after a failed write (doubles up to max_retry_delay).
  std::chrono::milliseconds retry_delay{50};
  std::chrono::milliseconds max_retry_delay{5000};
  // How long stop() keeps retrying a failing store before giving up (rows are then logged as
  // lost).
  std::chrono::milliseconds stop_timeout{10000};
};

// Where batches go: Store::append_usage in production (all rows or none), a fake in tests.
using UsageSink = std::function<Status(std::span<const store::UsageRecord>)>;

class UsageLedger {
 public:
  UsageLedger(store::Store& store, metrics::Registry& metrics, UsageLedgerOptions options);
  UsageLedger(UsageSink sink, metrics::Registry& metrics, UsageLedgerOptions options);
  ~UsageLedger();  // stop()s
  UsageLedger(const UsageLedger&) = delete;
  UsageLedger& operator=(const UsageLedger&) = delete;

  void start();
  // Queues one row. After stop() the row is not written (logged and counted as dropped).
  void record(store::UsageRecord row);
  // Writes all queued rows now and waits until they are stored (or the write failed).
  void flush();
  // Flushes everything and ends the background thread. Idempotent.
  void stop();

  std::size_t pending() const;
  std::uint64_t written() const;

 private:
  void run();
  // Whether queued rows are wanted in the store now, not at the next interval: a full batch
  // waits, flush() or stop() asked. REQUIRES: mu_ held.
  bool write_now() const;
  // Writes one batch; on kInvalidRequest writes the rows one at a time, dropping bad ones.
  Status write(const std::vector<store::UsageRecord>& batch);

  const UsageSink sink_;
  const UsageLedgerOptions options_;
  metrics::Gauge& pending_gauge_;
  metrics::Counter& written_;
  metrics::Counter& write_errors_;
  metrics::Counter& dropped_;

  mutable std::mutex mu_;
  // Guarded by mu_: everything below.
  std::condition_variable wake_;     // the writer waits here for rows, flush or stop
  std::condition_variable flushed_;  // flush() waits here for the writer to catch up
  std::deque<store::UsageRecord> queue_;
  std::size_t in_write_ = 0;          // rows taken from the queue, not yet stored
  std::uint64_t flush_requests_ = 0;  // bumped by flush()
  std::uint64_t flushes_done_ = 0;    // flush_requests_ as of the writer's last empty queue
  bool finished_ = false;             // the writer thread has ended
  bool stopping_ = false;
  bool started_ = false;
  std::uint64_t written_count_ = 0;
  std::thread thread_;
};

}  // namespace osprey::gateway
