#include "jobs/workload_registry.h"

namespace osprey::jobs {

void WorkloadRegistry::add(std::unique_ptr<Workload> workload) {
  std::string name(workload->name());
  workloads_.emplace(std::move(name), std::move(workload));
}

const Workload* WorkloadRegistry::find(std::string_view name) const {
  auto it = workloads_.find(name);
  return it == workloads_.end() ? nullptr : it->second.get();
}

std::vector<std::string> WorkloadRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, w] : workloads_) out.push_back(name);
  return out;
}

}  // namespace osprey::jobs
