#include "batch/anthropic/anthropic_batch_adapter.h"
#include "batch/batch_adapter_registry.h"
#include "batch/bedrock/bedrock_batch_adapter.h"
#include "batch/openai/openai_batch_adapter.h"

namespace osprey::batch {

void register_builtin_adapters(BatchAdapterRegistry& registry) {
  registry.add("openai", make_openai_batch_adapter);
  registry.add("anthropic", make_anthropic_batch_adapter);
  registry.add("bedrock", bedrock::BedrockBatchAdapter::create);
}

}  // namespace osprey::batch
