#include "experiments/live_feed.h"

#include <algorithm>

namespace osprey::experiments {

void LiveFeed::begin(std::int64_t experiment_id) {
  std::lock_guard lock(mu_);
  Channel& channel = channels_[experiment_id];
  channel.actions.clear();
  channel.ended = false;
  channel.attempt = ++attempts_;
  ended_.erase(std::remove(ended_.begin(), ended_.end(), experiment_id), ended_.end());
}

void LiveFeed::publish(std::int64_t experiment_id, std::vector<FeedAction> actions) {
  std::lock_guard lock(mu_);
  Channel& channel = channels_[experiment_id];
  for (FeedAction& action : actions) channel.actions.push_back(std::move(action));
  while (channel.actions.size() > max_buffered_) channel.actions.pop_front();
}

void LiveFeed::end(std::int64_t experiment_id) {
  std::lock_guard lock(mu_);
  auto it = channels_.find(experiment_id);
  if (it == channels_.end() || it->second.ended) return;
  it->second.ended = true;
  ended_.push_back(experiment_id);
  while (ended_.size() > max_ended_) {
    channels_.erase(ended_.front());
    ended_.pop_front();
  }
}

FeedRead LiveFeed::since(std::int64_t experiment_id, std::int64_t after_step) const {
  std::lock_guard lock(mu_);
  FeedRead out;
  auto it = channels_.find(experiment_id);
  if (it == channels_.end()) return out;
  const Channel& channel = it->second;
  out.known = true;
  out.ended = channel.ended;
  out.attempt = channel.attempt;
  out.first_step = channel.actions.empty() ? 0 : channel.actions.front().step;
  // Steps are published in order: skip to the first one after `after_step` instead of scanning
  // the whole buffer under the lock the running experiments publish through.
  auto first = std::partition_point(channel.actions.begin(), channel.actions.end(),
                                    [&](const FeedAction& a) { return a.step <= after_step; });
  out.actions.assign(first, channel.actions.end());
  return out;
}

}  // namespace osprey::experiments
