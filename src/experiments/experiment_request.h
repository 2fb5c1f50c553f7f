#pragma once
// The body of POST /v1/experiments, checked and resolved into the experiments to create (one per
// maze × model_config × repetition). Mazes are resolved here (library id, inline maze or
// generator spec) and stored whole with each experiment, so a replay never depends on a file
// that may have changed. Errors are kInvalidRequest (kNotFound for an unknown maze id) with a
// message naming the field.
//
// Single:  {"maze": M, "model_config": {...}, "start": {"x","y"}, "agent": "...",
//           "comment": "...", "priority": "normal", "max_attempts": 3, "turn_delay_ms": 0}
// Sweep:   {"mazes": [M...], "model_configs": [{...}...], "repetitions": N, ...same options}
// M:       "<library id>" | {"id": "<library id>"} | {"name","width","height","grid_data"}
//          | {"generator": {"kind","width","height","seed","wall_density"}}
// Repetition r runs with the config's seed (a random one when it gives none) + r, so repetitions
// differ but each is reproducible; the stored model_config is the canonical one, seed filled in.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "experiments/maze_library.h"
#include "store/experiment_records.h"

namespace osprey::experiments {

struct ExperimentBatch {
  std::vector<store::NewExperiment> experiments;  // tenant_id and job link left unset
  std::string priority;                           // "" = the key's plan
  std::optional<int> max_attempts;
  int turn_delay_ms = 0;  // pause between turns (demos, the viewer's live test); not replayed
};

// `default_seed` seeds configs that give none (the caller passes a random one).
Result<ExperimentBatch> parse_experiment_request(const nlohmann::json& body,
                                                 const MazeLibrary& library,
                                                 std::size_t max_experiments,
                                                 std::uint64_t default_seed);

}  // namespace osprey::experiments
