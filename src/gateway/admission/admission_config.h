#pragma once
// AdmissionConfig: the `admission:` section. Per public model a concurrency limit and a bounded
// waiting queue; `admission.default` applies to every model without its own entry under
// `admission.models.<name>` (whose unset keys inherit from the default). Plain values.
#include <chrono>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::gateway {

struct AdmissionLimits {
  int max_concurrent = 0;  // requests of the model in flight; 0 = unlimited (no admission stage)
  int max_queue = 100;     // requests waiting for a slot; 0 = no queue, reject when busy
  std::chrono::milliseconds queue_timeout{30'000};  // longest wait before 503 queue_timeout
  int overflow_status = 429;                        // status of queue_full: 429 or 503
};

struct AdmissionConfig {
  AdmissionLimits defaults;
  std::map<std::string, AdmissionLimits> models;  // public model name → limits

  const AdmissionLimits& limits_for(const std::string& model) const;
};

// Parses `sections["admission"]` (absent = defaults). Errors are kConfigInvalid, one line naming
// the key, e.g. "admission.models.chat.max_queue: must be between 0 and 1000000".
Result<AdmissionConfig> parse_admission_config(const nlohmann::json& sections);

}  // namespace osprey::gateway
