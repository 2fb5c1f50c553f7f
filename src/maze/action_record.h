#pragma once
// ActionRecord: one row of an experiment's history (a tool call, a refused or invalid tool call,
// or a model answer without any tool call), and ActionSink, where the agent loop hands them over
// (maze-store persists them; the viewer streams them).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "maze/position.h"
#include "maze/vision.h"

namespace osprey::maze {

// action_type values besides the tool names (move_north, ..., recall_movement_history,
// recall_all).
inline constexpr std::string_view kNoToolCall = "no_tool_call";
inline constexpr std::string_view kInvalidToolCall = "invalid_tool_call";

struct ActionRecord {
  int step_number = 0;  // 1-based, across the run
  int turn_number = 0;  // 1-based model call that produced the action
  std::string action_type;
  std::string reasoning;  // the tool call's "reasoning" argument, else the answer's text
  Position from;
  Position to;              // == from unless a move succeeded
  bool success = false;     // move done / recall answered; false for refused, invalid, no_tool_call
  bool found_goal = false;  // the goal counts as found after this action
  std::vector<Tile> tiles_seen;  // what the agent saw after the action (moves only)
  // The model call's usage, cost and latency, on the first action of its turn (0 on the rest),
  // so sums over actions are the run's totals.
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost_usd = 0;
  std::int64_t model_latency_ms = 0;
  std::int64_t elapsed_ms = 0;  // since the run started, when the action finished
  // {"tool":..., "arguments":..., "result":...} as the agent saw it; for invalid calls the error.
  nlohmann::json detail = nlohmann::json::object();
};

nlohmann::json action_json(const ActionRecord& action);
// Reads action_json's shape back (for metrics over stored actions); errors name the field.
Result<ActionRecord> parse_action_json(const nlohmann::json& node);

// Receives the actions of each turn, in order, once the turn is done. A failing append ends the
// run with that error (the job engine retries the experiment).
class ActionSink {
 public:
  virtual ~ActionSink() = default;
  virtual Status append(std::span<const ActionRecord> actions) = 0;
};

// Keeps everything in memory (tests).
class VectorActionSink final : public ActionSink {
 public:
  Status append(std::span<const ActionRecord> actions) override;
  const std::vector<ActionRecord>& actions() const { return actions_; }

 private:
  std::vector<ActionRecord> actions_;
};

}  // namespace osprey::maze
