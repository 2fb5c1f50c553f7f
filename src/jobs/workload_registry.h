#pragma once
// WorkloadRegistry: workloads by name, filled once at start-up (register_builtin_workloads) and
// read-only afterwards, so lookups are thread-safe without locks.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/workload.h"

namespace osprey::jobs {

class WorkloadRegistry {
 public:
  // REQUIRES: no workload of the same name yet.
  void add(std::unique_ptr<Workload> workload);
  // Null for an unknown name.
  const Workload* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, std::unique_ptr<Workload>, std::less<>> workloads_;
};

}  // namespace osprey::jobs
