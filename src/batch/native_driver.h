#pragma once
// NativeDriver: runs the jobs whose workload hands them to it (Workload::driver_hold() ==
// "native_batch": batch jobs in native or auto mode) through the vendors' batch APIs.
//
// A driver-held job is created paused, so the engine never claims its items (store.h). On its
// thread the driver, every batch.native.poll_ms:
//   - submits waiting jobs, oldest first, as provider batch jobs (split at the adapter's
//     max_records, padded to its min_records) while the model's provider jobs in flight stay
//     under batch.native max_in_flight — the rest wait in Osprey's queue;
//   - polls each provider job; every change of state is logged, appended to the job's driver
//     state (GET /v1/jobs/{id} "driver") and shown in its status message;
//   - auto mode: a provider job still not running (submitted/validating/scheduled) after
//     batch.native.fallback_after_ms is cancelled; once it is terminal, what it finished is
//     imported and the rest is handed to the engine (resume_job), which runs it synchronously;
//   - imports a terminal provider job: each answered or failed record is leased with
//     claim_held_items and recorded with settle_items, the engine's own path, so an item's
//     result is recorded once (a second import changes nothing);
//   - a cancelled job (at any stage) gets its provider jobs cancelled too.
// Everything it needs after a restart (provider job ids, states, timings) is in the job's
// driver state in the store, so a restarted driver resumes polling. Thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "batch/batch_adapter_registry.h"
#include "batch/native_config.h"
#include "batch/native_item_codec.h"
#include "jobs/workload_registry.h"
#include "providers/provider.h"
#include "store/store.h"

namespace osprey::batch {

// The deployment that serves a model natively (its first deployment); kNotFound if none.
using ModelResolver = std::function<Result<providers::ProviderConfig>(std::string_view model)>;

struct NativeDriverDeps {
  store::Store& store;
  const jobs::WorkloadRegistry& workloads;
  const BatchAdapterRegistry& adapters;
  ModelResolver resolve_model;
  // Codecs by workload name; a held job of a workload without one is left alone.
  std::map<std::string, const NativeItemCodec*, std::less<>> codecs;
  std::function<void()> on_new_work;             // items handed to the engine: claim now
  std::function<void(std::int64_t)> on_drained;  // every item settled: finalize the job
};

class NativeDriver {
 public:
  NativeDriver(NativeDriverDeps deps, NativeBatchConfig config);
  ~NativeDriver();  // stop()
  NativeDriver(const NativeDriver&) = delete;
  NativeDriver& operator=(const NativeDriver&) = delete;

  void start();
  void stop();
  // A native job was submitted or cancelled in this process: look now, not at the next poll.
  void wake();
  // One pass over every driver-held job (the thread's loop body; tests call it directly).
  void tick();

 private:
  struct JobContext;
  void loop();
  void step(const store::Job& job, std::map<std::string, int>& in_flight);
  const BatchAdapter* adapter_for(const std::string& model, std::string* adapter_name,
                                  std::string* error);

  NativeDriverDeps deps_;
  const NativeBatchConfig config_;
  const std::string worker_id_;

  std::mutex adapters_mu_;  // guards adapters_
  std::map<std::string, std::pair<std::string, std::unique_ptr<BatchAdapter>>> adapters_;

  std::mutex tick_mu_;  // one tick at a time
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool wake_requested_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace osprey::batch
