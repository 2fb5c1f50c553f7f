#pragma once
// ExperimentsConfig: the `experiments` section (docs/maze.md), parsed once at start-up. Errors
// are kConfigInvalid with one line naming the key.
#include <chrono>
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::experiments {

struct ExperimentsConfig {
  // Directory of maze JSON files in the original Oriole format ({name,width,height,grid_data});
  // a file's name without ".json" is the maze id. "" = <data_dir>/mazes.
  std::string library_dir;
  int action_batch = 50;  // actions buffered before a store write (and at the end of a run)
  std::size_t max_per_request = 1000;          // experiments one POST (a sweep) may create
  std::chrono::milliseconds events_poll{200};  // live-feed poll of the SSE stream
};

// `sections` is Config::sections; `data_dir` resolves the default library_dir.
Result<ExperimentsConfig> parse_experiments_config(const nlohmann::json& sections,
                                                   const std::string& data_dir);

}  // namespace osprey::experiments
