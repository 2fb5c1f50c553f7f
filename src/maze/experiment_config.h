#pragma once
// ExperimentConfig: everything that decides one run besides the maze, the start and the model's
// answers: the model and its inference options, vision and goal rules, recall interval, limits and
// prompt version. Parsed from an experiment's `model_config` object (the original's JSONB column),
// errors naming the key: "model_config.max_moves: must be an integer between 1 and 1000000".
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "maze/vision.h"
#include "providers/chat_types.h"

namespace osprey::maze {

// seen: found as soon as a goal cell is visible (the original's rule); reach: standing on it.
enum class GoalRule : std::uint8_t { kSeen, kReach };

struct Limits {
  int max_moves = 1000;  // successful moves
  std::chrono::milliseconds max_duration{std::chrono::hours(1)};
  int max_actions_per_turn = 10;  // tool calls executed per model answer; the rest are refused
  int max_turns = 2000;           // model calls
};

struct ExperimentConfig {
  std::string model;       // public model name the router serves, e.g. "local/explorer"
  std::uint64_t seed = 0;  // per-turn request seed = seed + turn (what makes local/random repeat)
  int vision_range = 3;
  std::optional<bool> see_through_walls;  // unset: the maze's own flag
  GoalRule goal_rule = GoalRule::kSeen;
  int recall_interval = 10;  // successful moves required between two recalls
  Limits limits;
  std::string prompt_version = "v2";
  int history_window = 10;               // recent actions shown in each prompt
  providers::InferenceConfig inference;  // temperature, top_p, max_tokens
  // Vendor knobs sent as ChatRequest::provider_options, e.g. {"num_ctx":32768,"num_predict":512}.
  nlohmann::json provider_options = nlohmann::json::object();
};

// Keys: model (required), seed, temperature, top_p, max_tokens, num_ctx, num_predict, top_k,
// provider_options{...}, vision_range, see_through_walls, goal_rule ("seen"|"reach"),
// recall_interval, max_moves, max_duration (seconds), max_actions_per_turn, max_turns,
// prompt_version, history_window. Unknown keys are an error (typos would silently change a run).
Result<ExperimentConfig> parse_experiment_config(const nlohmann::json& model_config);
// The canonical form (every key, defaults filled in); parse_experiment_config reads it back.
nlohmann::json experiment_config_json(const ExperimentConfig& config);

VisionRules vision_rules(const ExperimentConfig& config, const Maze& maze);
std::string_view goal_rule_name(GoalRule rule);

}  // namespace osprey::maze
