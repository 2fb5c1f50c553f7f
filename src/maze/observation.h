#pragma once
// The machine-readable observation block that ends every turn's prompt, whatever the prompt
// version: a JSON object between "<observation>" and "</observation>" lines, with the agent's
// position, counters and the whole known map ('#' wall, '.' empty, 'G' goal, '?' unseen). It is
// how a stateless agent (the `local` baselines) rebuilds its memory from the request alone; LLMs
// read it as the map of what they have seen.
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "maze/position.h"
#include "providers/chat_types.h"

namespace osprey::maze {

struct Observation {
  Position position;
  int width = 0;
  int height = 0;
  int turn = 0;
  int moves = 0;  // successful moves so far
  int max_actions_per_turn = 1;
  std::optional<Direction> last_move;  // direction of the last successful move
  std::string goal_rule;               // "seen" | "reach"
  std::vector<std::string> map;        // height rows of width characters
};

std::string render_observation(const Observation& observation);

// Finds the last observation block in the request's last user message; invalid_request when
// there is none or it does not parse.
Result<Observation> find_observation(const providers::ChatRequest& request);

}  // namespace osprey::maze
