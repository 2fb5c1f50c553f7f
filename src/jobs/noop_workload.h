#pragma once
// NoopWorkload ("noop"): items that do nothing but wait, for tests and benchmarks. Knobs make it
// fail, rate-limit or wait on purpose, and each result reports how many items of the same
// resource were running at that moment, so a test can observe concurrency limits from inside.
//
// spec: {"count": N | "items": [{"key","input"}...], "delay_ms": 0, "jitter_ms": 0,
//        "fail_attempts": 0, "fail_keys": ["k"...],
//        "permanent_fail_keys": ["k"...], "resource": ""}
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "jobs/workload.h"

namespace osprey::jobs {

class NoopWorkload final : public Workload {
 public:
  explicit NoopWorkload(std::size_t max_items) : max_items_(max_items) {}

  std::string_view name() const override { return "noop"; }
  Status validate(const nlohmann::json& spec) const override;
  Result<std::vector<PlannedItem>> plan(const nlohmann::json& spec) const override;
  std::string resource_key(const nlohmann::json& spec) const override;
  ItemResult run(const WorkItem& item, const RunContext& ctx) const override;

 private:
  const std::size_t max_items_;
  mutable std::mutex mu_;                       // guards running_
  mutable std::map<std::string, int> running_;  // items in run() per resource key
};

}  // namespace osprey::jobs
