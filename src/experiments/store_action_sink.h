#pragma once
// StoreActionSink: where the agent loop's actions go during a run — published to the LiveFeed at
// once (viewers), buffered and written to the store in batches of `batch` actions (one
// transaction each) and at the end (flush()). Between turns it also asks `should_stop` whether
// the run must end (cancelled experiment, shutdown), and turns that into a stop request the loop
// honours after the current action. One run, one thread.
#include <cstdint>
#include <functional>
#include <stop_token>
#include <vector>

#include "experiments/live_feed.h"
#include "maze/action_record.h"
#include "store/store.h"

namespace osprey::experiments {

// The store row of one loop action (cost in micro-USD); `tiles_seen` is
// maze::tiles_json(action.tiles_seen), which the caller also puts in the live view.
store::ExperimentAction to_store_action(std::int64_t experiment_id,
                                        const maze::ActionRecord& action,
                                        const nlohmann::json& tiles_seen);

class StoreActionSink final : public maze::ActionSink {
 public:
  StoreActionSink(store::Store& store, LiveFeed& feed, std::int64_t experiment_id, int batch,
                  std::stop_source& stop, std::function<bool()> should_stop)
      : store_(store),
        feed_(feed),
        experiment_id_(experiment_id),
        batch_(batch),
        stop_(stop),
        should_stop_(std::move(should_stop)) {}

  Status append(std::span<const maze::ActionRecord> actions) override;
  // Writes what is buffered.
  Status flush();

 private:
  store::Store& store_;
  LiveFeed& feed_;
  const std::int64_t experiment_id_;
  const int batch_;
  std::stop_source& stop_;
  std::function<bool()> should_stop_;
  std::vector<store::ExperimentAction> pending_;
};

}  // namespace osprey::experiments
