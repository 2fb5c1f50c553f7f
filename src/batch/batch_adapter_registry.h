#pragma once
// Which BatchAdapter serves a model: the driver looks up the adapter by the model's deployment
// (its ProviderConfig::adapter, e.g. "openai") and builds it from that deployment's connection
// settings plus the adapter's own section of the config (batch.native.adapters.<name>, e.g.
// Bedrock's S3 bucket and role ARN). Adding a vendor = one factory registered in
// builtin_adapters.cpp. Built at startup, read-only afterwards (thread-safe).
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "batch/batch_adapter.h"
#include "core/result.h"
#include "providers/provider.h"

namespace osprey::batch {

struct AdapterContext {
  providers::ProviderConfig provider;  // the deployment: base_url, api_key, region, credentials
  nlohmann::json options = nlohmann::json::object();  // batch.native.adapters.<name>, {} if none
};

// kConfigInvalid with a message naming the key for bad options.
using AdapterFactory =
    std::function<Result<std::unique_ptr<BatchAdapter>>(const AdapterContext& context)>;

class BatchAdapterRegistry {
 public:
  void add(std::string name, AdapterFactory factory);
  const AdapterFactory* find(std::string_view name) const;

 private:
  std::map<std::string, AdapterFactory, std::less<>> factories_;
};

// The adapters shipped with Osprey ("openai", "anthropic", "bedrock").
void register_builtin_adapters(BatchAdapterRegistry& registry);

}  // namespace osprey::batch
