#include "providers/provider_registry.h"

#include <utility>

#include "providers/anthropic/anthropic_provider.h"
#include "providers/bedrock/bedrock_provider.h"
#include "providers/ollama/ollama_provider.h"
#include "providers/openai/openai_provider.h"
#include "providers/upstream_call.h"

namespace osprey::providers {

void ProviderRegistry::add(std::string name, ProviderFactory factory) {
  factories_.emplace_back(std::move(name), std::move(factory));
}

Result<std::unique_ptr<Provider>> ProviderRegistry::create(const ProviderConfig& config,
                                                           net::HttpClient& client) const {
  for (const auto& [name, factory] : factories_) {
    if (name != config.adapter) continue;
    // The TLS context is built now, at load, so a bad CA file is a config error and no I/O
    // thread reads it later.
    if (Status tls = client.prepare_tls(tls_settings(config)); !tls.ok()) {
      return make_error(ErrorCode::kConfigInvalid, name + " adapter: " + tls.error().message);
    }
    auto provider = factory(config, client);
    if (!provider) {
      // Every config problem is reported as config_invalid, naming the adapter.
      const std::string& message = provider.error().message;
      const std::string prefix = name + " adapter";
      return make_error(ErrorCode::kConfigInvalid,
                        message.starts_with(prefix) ? message : prefix + ": " + message);
    }
    return provider;
  }
  std::string known;
  for (const auto& [name, factory] : factories_) known += (known.empty() ? "" : ", ") + name;
  return make_error(ErrorCode::kConfigInvalid,
                    "unknown adapter '" + config.adapter + "' (registered: " + known + ")");
}

std::vector<std::string> ProviderRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(factories_.size());
  for (const auto& [name, factory] : factories_) out.push_back(name);
  return out;
}

void register_builtin_providers(ProviderRegistry& registry) {
  registry.add("openai", &openai::OpenAiProvider::create);
  registry.add("ollama", &ollama::OllamaProvider::create);
  registry.add("anthropic", &anthropic::AnthropicProvider::create);
  registry.add("bedrock", [](const ProviderConfig& config, net::HttpClient& client) {
    return bedrock::BedrockProvider::create(config, client);
  });
}

}  // namespace osprey::providers
