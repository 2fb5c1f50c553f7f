#pragma once
// The API shapes of experiments, actions and compare rows (docs/maze.md), built from store
// records. The same action view goes out over GET /v1/experiments/{id} and the SSE stream.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/experiment_records.h"

namespace osprey::experiments {

// {"id","object":"experiment","state","outcome","error","job_id","maze":{"ref"},"start":{x,y},
//  "agent","model","model_config","comment","seed","attempts","archived","metrics",
//  "created_at","started_at","finished_at"}. With `with_maze`, "maze" also has the grid.
nlohmann::json experiment_view(const store::Experiment& experiment, bool with_maze = false);

// {"step","turn","action_type","reasoning","from":{x,y},"to":{x,y},"success","tiles_seen",
//  "tokens_in","tokens_out","cost_usd","model_ms","elapsed_ms"}
nlohmann::json action_view(const store::ExperimentAction& action);
// The same with "tiles_seen" given as JSON (the live feed has them so before they are serialized
// into the row's tiles_seen_json), so they are not parsed back.
nlohmann::json action_view(const store::ExperimentAction& action, nlohmann::json tiles_seen);

// One compare row: the group ("model", "model_config.<key>": value) and the means.
nlohmann::json aggregate_view(const store::ExperimentAggregate& row, bool by_model,
                              const std::vector<std::string>& config_keys);

}  // namespace osprey::experiments
