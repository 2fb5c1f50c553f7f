#pragma once
// NativeBatchConfig: the `batch.native` config section — how the native batch driver polls,
// when auto mode gives up on a provider job that does not start, and how many provider batch
// jobs may be in flight per model (the vendor's queue quota; jobs beyond it wait in Osprey).
#include <chrono>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::batch {

struct NativeBatchConfig {
  bool enabled = true;                                // run the driver (roles all and worker)
  std::chrono::milliseconds poll{30000};              // provider status polls, new-job pickup
  std::chrono::milliseconds fallback_after{3600000};  // auto: not-yet-running longer → sync
  std::chrono::milliseconds import_lease{300000};     // lease while recording imported results
  int max_in_flight = 0;                              // per model; 0 = unlimited
  std::map<std::string, int> model_max_in_flight;     // batch.native.models.<model>.max_in_flight
  // batch.native.adapters.<name>: the adapter's own options (handed to its factory), and an
  // optional max_in_flight for every model that adapter serves.
  std::map<std::string, nlohmann::json> adapter_options;
  std::map<std::string, int> adapter_max_in_flight;

  // models.<model> → adapters.<adapter> → max_in_flight; 0 = unlimited.
  int cap_for(const std::string& model, const std::string& adapter) const;
};

// Parses sections["batch"]["native"] (absent → defaults). Errors are kConfigInvalid naming the
// key, e.g. "config: batch.native.poll_ms: must be an integer in [10, 3600000]". Other keys of
// `batch` belong to the batch API and are not looked at here.
Result<NativeBatchConfig> parse_native_batch_config(const nlohmann::json& sections);

}  // namespace osprey::batch
