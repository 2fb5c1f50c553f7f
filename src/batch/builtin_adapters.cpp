#include "batch/batch_adapter_registry.h"
#include "batch/bedrock/bedrock_batch_adapter.h"

namespace osprey::batch {

void register_builtin_adapters(BatchAdapterRegistry& registry) {
  // Vendors register here as their adapters land (openai, anthropic, bedrock).
  registry.add("bedrock", bedrock::BedrockBatchAdapter::create);
}

}  // namespace osprey::batch
