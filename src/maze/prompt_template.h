#pragma once
// Versioned prompt templates. Each turn is one self-contained request: the system text (the
// rules and tools), and one user message with the position, the goal description, the recent
// actions with what was seen after each, the results of the previous turn's tool calls verbatim
// (so a recall's answer reaches the model), and the observation block. The context therefore does
// not grow with the run and works the same over every provider.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "maze/action_record.h"
#include "maze/environment.h"
#include "maze/experiment_config.h"
#include "providers/chat_types.h"

namespace osprey::maze {

// "v1": close to the original Oriole wording; "v2" (default): structured, with a strategy hint.
const std::vector<std::string>& prompt_versions();
Status check_prompt_version(std::string_view version);

struct TurnContext {
  int turn = 0;
  std::span<const ActionRecord> recent;  // the last history_window actions, oldest first
  nlohmann::json previous_results = nlohmann::json::array();  // tool results of the last turn
};

// REQUIRES: config.prompt_version is one of prompt_versions().
providers::ChatRequest build_turn_request(const ExperimentConfig& config, const Environment& env,
                                          const TurnContext& turn);

}  // namespace osprey::maze
