#pragma once
// How a batch job runs, chosen per job by `spec.mode` (the one place that reads it):
//   sync    each item is one chat completion through the router (BatchWorkload::run), under
//           the engine's per-model concurrency limit (jobs.resources.<model>.max_concurrent);
//   native  the whole job goes to the provider's batch API through a BatchAdapter;
//   auto    native, falling back to sync when the provider leaves it waiting too long.
// native and auto are run by the native batch driver (docs/batch.md, "Native and auto modes"), not
// item by item.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::batch {

enum class BatchMode { kSync, kNative, kAuto };

std::string_view batch_mode_name(BatchMode mode);  // "sync", "native", "auto"
std::optional<BatchMode> parse_batch_mode_name(std::string_view name);
// spec.mode, "sync" when absent; kInvalidRequest naming `mode` otherwise.
Result<BatchMode> batch_mode_of(const nlohmann::json& spec);

}  // namespace osprey::batch
