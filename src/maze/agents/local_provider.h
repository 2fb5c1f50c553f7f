#pragma once
// LocalProvider: the `local` adapter. Serves the baseline agents (local_agent.h) as models the
// router routes like any other, so baselines run through exactly the loop LLMs do and need no
// upstream. A deployment's `model` names the agent ("explorer" or "local/explorer").
#include <memory>

#include <nlohmann/json.hpp>

#include "providers/provider.h"
#include "providers/provider_registry.h"

namespace osprey::maze {

// Adds the `local` adapter; called next to providers::register_builtin_providers.
void register_local_provider(providers::ProviderRegistry& registry);

// The `models:` section used when the configuration has none: the three baseline agents, each a
// single local deployment with health probes off.
nlohmann::json default_models_section();

}  // namespace osprey::maze
