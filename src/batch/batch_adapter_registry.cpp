#include "batch/batch_adapter_registry.h"

namespace osprey::batch {

void BatchAdapterRegistry::add(std::string name, AdapterFactory factory) {
  factories_[std::move(name)] = std::move(factory);
}

const AdapterFactory* BatchAdapterRegistry::find(std::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : &it->second;
}

}  // namespace osprey::batch
