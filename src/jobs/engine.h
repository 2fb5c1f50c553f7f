#pragma once
// Engine: the worker side of the job system in one process. A scheduler thread claims ready
// items in batches with a lease (the store orders them by priority, tenant fair share and age,
// within the per-tenant and per-resource caps computed here), worker threads run them through
// their workload, and a settler thread records outcomes in batches (each result once: a
// settlement from a lost lease changes nothing), extends the leases of items still held, and
// hands drained jobs to the maintenance thread, which finalizes them (results files, _SUCCESS,
// final state), reclaims expired leases, resumes jobs held by the running-jobs quota, purges
// finished jobs after the retention and refreshes the queue metrics.
//
// Wake-ups: wake() (same process) and the store's listener (PostgreSQL NOTIFY across
// processes), backed by polling every jobs.poll_ms. stop() stops claiming at once, lets items in
// flight finish and settle, and joins every thread. Thread-safe.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "jobs/in_flight_limits.h"
#include "jobs/job_finalizer.h"
#include "jobs/jobs_config.h"
#include "jobs/jobs_metrics.h"
#include "jobs/workload_registry.h"
#include "store/store.h"

namespace osprey::jobs {

class Engine {
 public:
  Engine(store::Store& store, const WorkloadRegistry& workloads, const JobsConfig& config,
         JobsMetrics& metrics);
  ~Engine();  // stop()
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts the threads. `run_items` false (role api) runs no worker threads and claims nothing.
  Status start(bool run_items);
  // Stops claiming at once without waiting (safe from any thread, e.g. a signal handler's
  // callback); stop() then waits for items in flight.
  void request_stop();
  void stop();
  // New work in this process (job created, redriven, resumed): claim now rather than at the
  // next poll.
  void wake();
  // A job has no pending item left (e.g. cancelled while idle): finalize it now.
  void finalize_soon(std::int64_t job_id);

 private:
  struct Running {
    store::ClaimedItem item;
    std::shared_ptr<const nlohmann::json> spec;
  };

  void schedule_loop();
  void worker_loop();
  void settle_loop();
  void maintenance_loop();

  int claim_once();
  std::shared_ptr<const nlohmann::json> spec_of(std::int64_t job_id);
  store::ItemSettlement settle_one(const Running& r, const ItemResult& result);
  void flush_settlements(std::vector<std::pair<store::ItemSettlement, Running>>& batch);
  void extend_leases();
  void finalize(std::int64_t job_id);
  void maintain();
  std::map<std::int64_t, int> tenant_item_limits();
  void resume_quota_held_jobs(const store::QueueStats& stats);
  void refresh_tenant_ids();

  store::Store& store_;
  const WorkloadRegistry& workloads_;
  const JobsConfig& config_;
  JobsMetrics& metrics_;
  const std::string worker_id_;
  InFlightLimits limits_;
  std::unique_ptr<store::StoreListener> listener_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> settler_stopping_{false};  // set once every worker thread has exited
  std::atomic<bool> wake_requested_{false};
  std::vector<std::thread> workers_;  // scheduler and item runners
  std::thread settler_;
  std::thread maintenance_;
  std::chrono::steady_clock::time_point next_purge_{};

  std::mutex queue_mu_;               // guards queue_, running_ids_
  std::condition_variable queue_cv_;  // workers: an item is queued
  std::condition_variable space_cv_;  // scheduler: a slot is free
  std::deque<Running> queue_;
  int capacity_ = 0;   // items claimed and not settled, at most
  int min_claim_ = 1;  // free slots worth a claim round trip; also the settle batch size

  std::mutex settle_mu_;  // guards pending_settle_, held_
  std::condition_variable settle_cv_;
  std::vector<std::pair<store::ItemSettlement, Running>> pending_settle_;
  std::unordered_map<std::int64_t, store::ItemLease> held_;  // item id -> lease, claim to settle

  std::mutex spec_mu_;  // guards specs_
  std::unordered_map<std::int64_t, std::shared_ptr<const nlohmann::json>> specs_;

  std::mutex maint_mu_;  // guards drained_, paused_for_disk_, tenant_ids_
  std::condition_variable maint_cv_;
  std::set<std::int64_t> drained_;
  std::set<std::int64_t> paused_for_disk_;
  std::map<std::string, std::int64_t> tenant_ids_;  // names of tenants with a configured quota
  std::vector<std::int64_t> active_tenants_;        // tenants with work, from the last snapshot
};

}  // namespace osprey::jobs
