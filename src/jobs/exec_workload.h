#pragma once
// ExecWorkload ("exec"): the external-workload contract (docs/workload-contract.md). A configured
// runner executable gets one item as JSON on stdin and writes the item's result JSON on stdout;
// its exit code says how the attempt ended. The command line comes from configuration only
// (workloads.exec.runners), never from a job spec, so a tenant cannot run arbitrary programs.
//
// spec: {"runner": "<name>", "items": [{"key","input"}...], "timeout_ms": <= runner's}
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "jobs/workload.h"

namespace osprey::jobs {

struct ExecRunner {
  std::vector<std::string> command;  // argv; command[0] is the executable
  std::map<std::string, std::string> env;
  std::chrono::milliseconds timeout{60000};
  std::string resource;  // resource key for concurrency limits; empty = none
};

// Exit codes of the contract (sysexits.h values where one fits).
inline constexpr int kExitRetryable = 75;    // EX_TEMPFAIL
inline constexpr int kExitRateLimited = 76;  // stdout may carry {"retry_after_ms": N}
inline constexpr int kExitPermanent = 65;    // EX_DATAERR: this input can never succeed

// Parses workloads.exec ({"runners": {"<name>": {"command": [...], "env": {...},
// "timeout_ms": N, "resource": "..."}}}); the error names the key.
Result<std::map<std::string, ExecRunner>> parse_exec_runners(const nlohmann::json& section);

class ExecWorkload final : public Workload {
 public:
  ExecWorkload(std::map<std::string, ExecRunner> runners, std::size_t max_items)
      : runners_(std::move(runners)), max_items_(max_items) {}

  std::string_view name() const override { return "exec"; }
  Status validate(const nlohmann::json& spec) const override;
  Result<std::vector<PlannedItem>> plan(const nlohmann::json& spec) const override;
  std::string resource_key(const nlohmann::json& spec) const override;
  ItemResult run(const WorkItem& item, const RunContext& ctx) const override;

 private:
  const ExecRunner* runner(const nlohmann::json& spec) const;
  const std::map<std::string, ExecRunner> runners_;
  const std::size_t max_items_;
};

}  // namespace osprey::jobs
