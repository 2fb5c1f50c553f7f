#pragma once
// InFlightLimits: items this process has claimed and not settled, per tenant and per resource,
// and the caps the next claim must respect (limit minus what is in flight). Counting from claim
// to settlement (not just while running) makes a limit exact within one worker process: an
// item waiting in the local queue already holds its slot. Across worker processes each process
// applies the limits to its own items (docs/jobs.md). Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace osprey::jobs {

class InFlightLimits {
 public:
  explicit InFlightLimits(std::map<std::string, int> resource_limits)
      : resource_limits_(std::move(resource_limits)) {}

  void add(std::int64_t tenant_id, const std::string& resource);
  void remove(std::int64_t tenant_id, const std::string& resource);

  int total() const;
  int resource_in_use(const std::string& resource) const;
  int tenant_in_flight(std::int64_t tenant_id) const;

  // For every limited resource: how many more items may be claimed (>= 0; 0 excludes it).
  std::vector<std::pair<std::string, int>> resource_caps() const;
  // For every tenant with a limit (tenant id -> max items in flight): how many more.
  std::vector<std::pair<std::int64_t, int>> tenant_caps(
      const std::map<std::int64_t, int>& tenant_limits) const;

 private:
  const std::map<std::string, int> resource_limits_;
  mutable std::mutex mu_;  // guards the counters below
  std::map<std::string, int> by_resource_;
  std::map<std::int64_t, int> by_tenant_;
  int total_ = 0;
};

}  // namespace osprey::jobs
