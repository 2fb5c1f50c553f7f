#include "experiments/store_action_sink.h"

#include <cmath>

#include "experiments/experiment_view.h"

namespace osprey::experiments {

store::ExperimentAction to_store_action(std::int64_t experiment_id, const maze::ActionRecord& a,
                                        const nlohmann::json& tiles_seen) {
  store::ExperimentAction out;
  out.experiment_id = experiment_id;
  out.step_number = a.step_number;
  out.turn_number = a.turn_number;
  out.action_type = a.action_type;
  out.reasoning = a.reasoning;
  out.from_x = a.from.x;
  out.from_y = a.from.y;
  out.to_x = a.to.x;
  out.to_y = a.to.y;
  out.success = a.success;
  out.tiles_seen_json = tiles_seen.dump();
  out.tokens_in = a.input_tokens;
  out.tokens_out = a.output_tokens;
  out.cost_micros = std::llround(a.cost_usd * 1e6);
  out.model_ms = a.model_latency_ms;
  out.elapsed_ms = a.elapsed_ms;
  return out;
}

Status StoreActionSink::append(std::span<const maze::ActionRecord> actions) {
  std::vector<FeedAction> published;
  published.reserve(actions.size());
  for (const maze::ActionRecord& action : actions) {
    nlohmann::json tiles = maze::tiles_json(action.tiles_seen);
    pending_.push_back(to_store_action(experiment_id_, action, tiles));
    published.push_back(
        {action.step_number, action_view(pending_.back(), std::move(tiles)).dump()});
  }
  feed_.publish(experiment_id_, std::move(published));
  if (static_cast<int>(pending_.size()) >= batch_) {
    if (Status st = flush(); !st.ok()) return st;
  }
  if (should_stop_ && should_stop_()) stop_.request_stop();
  return {};
}

Status StoreActionSink::flush() {
  if (pending_.empty()) return {};
  auto written = store_.append_actions(pending_);
  if (!written) return written.error();
  pending_.clear();
  return {};
}

}  // namespace osprey::experiments
