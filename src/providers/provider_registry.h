#pragma once
// ProviderRegistry: adapters registered by name in one function called from main (no static
// initializers); the router asks it to build one Provider per configured deployment.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "providers/provider.h"

namespace osprey::net {
class HttpClient;
}

namespace osprey::providers {

using ProviderFactory =
    std::function<Result<std::unique_ptr<Provider>>(const ProviderConfig&, net::HttpClient&)>;

class ProviderRegistry {
 public:
  // REQUIRES: each name is added once, before any create().
  void add(std::string name, ProviderFactory factory);
  // Fails with config_invalid naming the adapter when it is unknown or its config is invalid.
  Result<std::unique_ptr<Provider>> create(const ProviderConfig& config,
                                           net::HttpClient& client) const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::pair<std::string, ProviderFactory>> factories_;
};

// Registers openai, ollama, anthropic, bedrock. The `local` adapter (the maze baseline agents)
// is registered by maze::register_local_provider, next to this call.
void register_builtin_providers(ProviderRegistry& registry);

}  // namespace osprey::providers
