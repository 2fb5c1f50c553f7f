#include "gateway/usage/usage_ledger.h"

#include <algorithm>
#include <utility>

#include "core/log.h"
#include "core/thread_role.h"

namespace osprey::gateway {

UsageLedger::UsageLedger(store::Store& store, metrics::Registry& metrics,
                         UsageLedgerOptions options)
    : UsageLedger(
          [&store](std::span<const store::UsageRecord> rows) { return store.append_usage(rows); },
          metrics, options) {}

UsageLedger::UsageLedger(UsageSink sink, metrics::Registry& metrics, UsageLedgerOptions options)
    : sink_(std::move(sink)),
      options_(options),
      pending_gauge_(metrics
                         .gauge("osprey_usage_ledger_pending",
                                "Usage rows queued in memory, not yet in the store")
                         .with()),
      written_(metrics.counter("osprey_usage_ledger_written_total", "Usage rows stored").with()),
      write_errors_(metrics
                        .counter("osprey_usage_ledger_write_errors_total",
                                 "Failed usage ledger batch writes (retried)")
                        .with()),
      dropped_(metrics
                   .counter("osprey_usage_ledger_dropped_total",
                            "Usage rows lost: invalid, queue full, or after shutdown")
                   .with()) {}

UsageLedger::~UsageLedger() { stop(); }

void UsageLedger::start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] {
    set_current_thread_role("osprey-ledger");
    run();
  });
}

void UsageLedger::record(store::UsageRecord row) {
  bool after_shutdown = false;
  {
    std::lock_guard lock(mu_);
    after_shutdown = stopping_;
    if (!stopping_ && queue_.size() < options_.max_pending) {
      queue_.push_back(std::move(row));
      pending_gauge_.set(static_cast<double>(queue_.size() + in_write_));
      if (queue_.size() >= options_.batch_size) wake_.notify_one();
      return;
    }
  }
  dropped_.inc();
  log::error("usage_row_dropped", {{"tenant_id", row.tenant_id},
                                   {"model", row.model},
                                   {"reason", after_shutdown ? "after_shutdown" : "queue_full"}});
}

void UsageLedger::flush() {
  std::unique_lock lock(mu_);
  if (!started_) return;
  const std::uint64_t ticket = ++flush_requests_;
  wake_.notify_one();
  flushed_.wait(lock, [&] {
    return (queue_.empty() && in_write_ == 0 && flushes_done_ >= ticket) || finished_;
  });
}

void UsageLedger::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

std::size_t UsageLedger::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + in_write_;
}

std::uint64_t UsageLedger::written() const {
  std::lock_guard lock(mu_);
  return written_count_;
}

Status UsageLedger::write(const std::vector<store::UsageRecord>& batch) {
  Status st = sink_(batch);
  if (st.ok() || st.code() != ErrorCode::kInvalidRequest) return st;
  // One bad row must not block the others forever: store them one by one.
  for (const store::UsageRecord& row : batch) {
    const std::span<const store::UsageRecord> one(&row, 1);
    Status single = sink_(one);
    if (single.ok()) continue;
    if (single.code() != ErrorCode::kInvalidRequest) return single;  // store trouble: retry all
    dropped_.inc();
    log::error(
        "usage_row_invalid",
        {{"tenant_id", row.tenant_id}, {"model", row.model}, {"error", single.error().message}});
  }
  return {};
}

bool UsageLedger::write_now() const {
  return stopping_ || queue_.size() >= options_.batch_size || flush_requests_ > flushes_done_;
}

void UsageLedger::run() {
  std::unique_lock lock(mu_);
  std::vector<store::UsageRecord> batch;
  std::chrono::milliseconds backoff = options_.retry_delay;
  std::chrono::steady_clock::time_point give_up{};
  while (true) {
    wake_.wait_for(lock, options_.flush_interval, [&] { return write_now(); });
    // Write what waited when the writer woke, batch by batch, and go on while write_now().
    // Rows that arrive during a write otherwise wait for the next round: chasing them in small
    // batches would pay a transaction (and its WAL writes) for every few rows.
    std::size_t due = queue_.size();
    while (!queue_.empty() && (due > 0 || write_now())) {
      const std::size_t n = std::min(queue_.size(), options_.batch_size);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      in_write_ = n;
      lock.unlock();
      Status st = write(batch);
      lock.lock();
      if (st.ok()) {
        due -= std::min(due, n);
        in_write_ = 0;
        written_count_ += n;
        written_.inc(static_cast<double>(n));
        backoff = options_.retry_delay;
        give_up = {};
        pending_gauge_.set(static_cast<double>(queue_.size()));
        continue;
      }
      // Put the batch back in front, in order, and retry after a pause.
      write_errors_.inc();
      queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
      in_write_ = 0;
      log::warn("usage_write_failed",
                {{"rows", static_cast<std::uint64_t>(n)}, {"error", st.error().message}});
      if (stopping_) {
        const auto now = std::chrono::steady_clock::now();
        if (give_up == std::chrono::steady_clock::time_point{})
          give_up = now + options_.stop_timeout;
        if (now >= give_up) {
          dropped_.inc(static_cast<double>(queue_.size()));
          log::error("usage_rows_lost", {{"rows", static_cast<std::uint64_t>(queue_.size())}});
          queue_.clear();
          break;
        }
      }
      const auto pause = backoff;
      backoff = std::min(backoff * 2, options_.max_retry_delay);
      lock.unlock();
      std::this_thread::sleep_for(pause);
      lock.lock();
    }
    if (queue_.empty()) {
      flushes_done_ = flush_requests_;  // every earlier flush() is served
      flushed_.notify_all();
    }
    if (stopping_ && queue_.empty()) break;
  }
  finished_ = true;
  flushed_.notify_all();
  pending_gauge_.set(0);
}

}  // namespace osprey::gateway
