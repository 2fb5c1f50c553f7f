#pragma once
// The model table of a configuration without a `models:` section: the built-in baseline agents
// (local/random, local/wall-follower, local/explorer), so a bare `osprey serve` can run maze
// experiments. A configuration that lists models gets exactly those.
#include <nlohmann/json.hpp>

namespace osprey::app {

// `sections` with `models` set to the baseline agents when it is absent or null.
nlohmann::json with_default_models(nlohmann::json sections);

}  // namespace osprey::app
