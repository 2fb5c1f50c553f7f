#pragma once
// NativeItemCodec: what the native batch driver needs of a workload whose jobs it runs (the
// `batch` workload in native/auto mode): the job's mode and model, each item's chat request,
// and the output an item records from a provider's answer — the same shape the workload's run()
// records in sync mode, so results and error files look alike whichever way an item ran.
// Pure and const (thread-safe).
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "batch/batch_adapter.h"
#include "core/result.h"
#include "jobs/workload.h"
#include "providers/chat_types.h"

namespace osprey::batch {

// The driver name a Workload::driver_hold() returns for jobs this driver runs.
inline constexpr std::string_view kNativeDriver = "native_batch";

enum class NativeMode {
  kNative,  // the provider runs every item; its failures are the items' failures
  kAuto,    // like native, but a provider job that does not start in time is cancelled and
            // the items it did not finish run synchronously through the engine
};

class NativeItemCodec {
 public:
  virtual ~NativeItemCodec() = default;
  virtual NativeMode mode(const nlohmann::json& spec) const = 0;
  // The Osprey model the job's items call ("" = the job's resource key).
  virtual std::string model(const nlohmann::json& spec) const = 0;
  // kInvalidRequest for an item that cannot become a request: it is dead-lettered at once.
  virtual Result<providers::ChatRequest> request(const nlohmann::json& item_input) const = 0;
  // A kSuccess result for an answered record.
  virtual jobs::ItemResult answered(std::int64_t item_id, std::string_view key,
                                    const nlohmann::json& item_input,
                                    const providers::ChatResponse& response) const = 0;
  // A failure (recorded as the item's dead letter) for a record the provider could not run.
  virtual jobs::ItemResult errored(std::int64_t item_id, std::string_view key,
                                   const nlohmann::json& item_input,
                                   const RecordOutcome& outcome) const = 0;
};

}  // namespace osprey::batch
