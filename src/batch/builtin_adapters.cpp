#include "batch/batch_adapter_registry.h"

namespace osprey::batch {

void register_builtin_adapters(BatchAdapterRegistry& registry) {
  // Vendors register here as their adapters land (openai, anthropic, bedrock).
  (void)registry;
}

}  // namespace osprey::batch
