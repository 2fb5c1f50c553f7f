#pragma once
// LiveFeed: the actions of the experiments running in this process, published as each turn ends
// (before the batched store write), so SSE viewers see a move within a poll interval instead of
// a batch later. Bounded: the newest `max_buffered` actions per experiment, and finished
// experiments are forgotten after `max_ended`. Viewers fall back to the store for anything the
// feed does not hold (older steps, or a run in another worker process). Thread-safe.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace osprey::experiments {

struct FeedAction {
  std::int64_t step = 0;
  std::string json;  // the action's API view
};

struct FeedRead {
  bool known = false;               // the feed holds this experiment's current attempt
  bool ended = false;               // the attempt has ended (its last actions are published)
  std::int64_t first_step = 0;      // oldest buffered step (0 when none)
  std::int64_t attempt = 0;         // increases when a retry restarts the run at step 1
  std::vector<FeedAction> actions;  // step > after_step, in order
};

class LiveFeed {
 public:
  explicit LiveFeed(std::size_t max_buffered = 4096, std::size_t max_ended = 256)
      : max_buffered_(max_buffered), max_ended_(max_ended) {}

  // A new attempt of the experiment starts: what was buffered belongs to the last one.
  void begin(std::int64_t experiment_id);
  // `actions` follow the ones published before, in step order (since() relies on it).
  void publish(std::int64_t experiment_id, std::vector<FeedAction> actions);
  void end(std::int64_t experiment_id);
  FeedRead since(std::int64_t experiment_id, std::int64_t after_step) const;

 private:
  struct Channel {
    std::deque<FeedAction> actions;
    std::int64_t attempt = 0;
    bool ended = false;
  };

  const std::size_t max_buffered_;
  const std::size_t max_ended_;
  mutable std::mutex mu_;
  std::map<std::int64_t, Channel> channels_;
  std::deque<std::int64_t> ended_;  // oldest first
  std::int64_t attempts_ = 0;
};

}  // namespace osprey::experiments
