#pragma once
// MazeWorkload ("maze"): runs maze experiments on the job engine, one item per experiment, so
// retries, dead letters, per-model concurrency (the resource key is the model) and per-tenant
// quotas are the engine's. POST /v1/experiments creates the experiments and then the job; run()
// plays one experiment through maze::run_experiment with the model behind the ChatCaller
// (router: retries, breakers, fallbacks; usage charged to the job's tenant), its actions going
// to the store in batches and to the LiveFeed at once, and its metrics stored at the end.
//
// spec: {"experiment_ids": [id...], "model": "<resource key>", "max_attempts": N,
//        "turn_delay_ms": 0}
// An attempt that fails upstream puts the experiment back to `queued` (the engine retries it);
// the last attempt (or a permanent failure) marks it `failed`, and finalize() fails whatever the
// job left unfinished (dead letters after a crash), so no experiment stays running forever.
#include <cstddef>

#include "experiments/experiments_metrics.h"
#include "experiments/live_feed.h"
#include "jobs/chat_caller.h"
#include "jobs/workload.h"
#include "store/store.h"

namespace osprey::experiments {

struct MazeWorkloadDeps {
  store::Store& store;
  const jobs::ChatCaller& chat;
  LiveFeed& feed;
  ExperimentsMetrics& metrics;
  int action_batch = 50;
  std::size_t max_items = 100000;
};

class MazeWorkload final : public jobs::Workload {
 public:
  explicit MazeWorkload(MazeWorkloadDeps deps) : d_(deps) {}

  std::string_view name() const override { return "maze"; }
  Status validate(const nlohmann::json& spec) const override;
  Result<std::vector<jobs::PlannedItem>> plan(const nlohmann::json& spec) const override;
  std::string resource_key(const nlohmann::json& spec) const override;
  jobs::ItemResult run(const jobs::WorkItem& item, const jobs::RunContext& ctx) const override;
  nlohmann::json finalize(const jobs::JobOutcome& job) const override;

 private:
  MazeWorkloadDeps d_;
};

// The item key of an experiment ("experiment-17").
std::string experiment_item_key(std::int64_t experiment_id);

}  // namespace osprey::experiments
