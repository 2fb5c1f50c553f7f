#pragma once
// The baseline agents: pure functions from a chat request to an answer with one tool call,
// deciding from the request's observation block alone (observation.h), so the provider that
// serves them is stateless. random: a uniformly random direction not known to be a wall, seeded
// by the request's seed; wall-follower: right-hand rule from the last move's heading; explorer:
// breadth-first walk to the nearest known goal (rule reach) or else the nearest frontier (a known
// open cell next to an unseen one).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "providers/chat_types.h"

namespace osprey::maze {

enum class LocalAgentKind { kRandom, kWallFollower, kExplorer };

// "random", "wall-follower", "explorer", also with a "local/" prefix.
std::optional<LocalAgentKind> parse_local_agent(std::string_view name);
// The public model names the default configuration serves: local/random, local/wall-follower,
// local/explorer.
const std::vector<std::string>& local_model_names();

// invalid_request when the request carries no usable observation block.
Result<providers::ChatResponse> answer_as_local_agent(LocalAgentKind kind,
                                                      const providers::ChatRequest& request);

}  // namespace osprey::maze
