#pragma once
// BatchWorkload ("batch"): OpenAI-format batch inference on the job engine. The spec:
//   {"input_file_id": "file-..."  | "items": [<request line>, ...],
//    "endpoint": "/v1/chat/completions", "mode": "sync" | "native" | "auto",
//    "model": "...", "completion_window": "24h", "metadata": {"k": "v"}}
// (one of input_file_id and items; endpoint, mode, model, completion_window and metadata are
// optional). Planning reads and checks every line (batch_input.h) for the submitting tenant:
// an item per line, keyed by custom_id, carrying the body and the key that pays for it. The
// resource (per-model concurrency, jobs.resources.<model>.max_concurrent) is the batch's model.
// In sync mode run() sends one line through the ChatCaller; native and auto jobs are held for
// the native batch driver (driver_hold, native_driver.h; BatchNativeCodec reads their items).
// finalize() writes the output and error files (batch_output.h) into the FileStore. Const after
// construction: thread-safe.
#include <cstddef>

#include "batch/batch_input.h"
#include "batch/file_store.h"
#include "jobs/chat_caller.h"
#include "jobs/workload.h"
#include "store/store.h"

namespace osprey::batch {

inline constexpr std::string_view kBatchWorkload = "batch";

struct BatchWorkloadDeps {
  const jobs::ChatCaller& caller;
  const FileStore& files;
  store::Store& store;   // finalize() reads the job's items
  BodyCheck check_body;  // the gateway's checks of a chat request body; empty = none
  std::size_t max_items = 50'000;
};

class BatchWorkload final : public jobs::Workload {
 public:
  explicit BatchWorkload(BatchWorkloadDeps deps);

  std::string_view name() const override { return kBatchWorkload; }
  Status validate(const nlohmann::json& spec) const override;
  // Inline `items` only: a file needs the tenant (plan_for).
  Result<std::vector<jobs::PlannedItem>> plan(const nlohmann::json& spec) const override;
  Result<std::vector<jobs::PlannedItem>> plan_for(const nlohmann::json& spec,
                                                  const gateway::Principal& who) const override;
  std::string resource_key(const nlohmann::json& spec) const override;
  jobs::ItemResult run(const jobs::WorkItem& item, const jobs::RunContext& ctx) const override;
  // "native_batch" for mode native and auto: the native batch driver runs those jobs.
  std::string driver_hold(const nlohmann::json& spec) const override;
  nlohmann::json finalize(const jobs::JobOutcome& job) const override;

  // The checked lines of a spec for a tenant (its file or its inline items). The batches API
  // uses it to learn the model before submitting.
  Result<BatchInput> read_input(const nlohmann::json& spec,
                                std::optional<std::int64_t> tenant_id) const;

 private:
  BatchWorkloadDeps deps_;
};

}  // namespace osprey::batch
