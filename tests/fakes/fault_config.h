#pragma once
// FaultConfig: the fault-injection knobs of a fake upstream. Set at construction, by CLI flags,
// or at runtime by `POST /_fake/faults` (a JSON object; keys absent from it keep their value,
// `"reset": true` first restores the defaults). A plain value; the fake guards its copy.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::fakes {

struct FaultConfig {
  double fail_rate = 0.0;     // fraction of chat calls answered with the vendor's 500 error
  int status = 0;             // if non-zero, every chat call gets this error status
  int retry_after_s = -1;     // >= 0: Retry-After header on forced-status errors
  int latency_ms = 0;         // delay before answering a chat call
  int chunk_delay_ms = 0;     // delay between stream chunks
  bool hang = false;          // chat calls never answer (until the client leaves or the cap)
  int hang_cap_ms = 300'000;  // then the connection is reset
  bool down = false;          // every non-control request: connection reset, no answer
  int cut_after_chunks = -1;  // >= 0: streams send N chunks, then reset the connection
  int stream_error_after_chunks = -1;  // >= 0: streams send N chunks, then an in-stream error
  bool malformed = false;              // chat calls: 200 with a truncated JSON body
  bool probe_fail = false;             // health/probe endpoints answer 503
  bool ignore_tools = false;           // answer text even when tools are offered (a model that
                                       // never calls a tool)
};

// Applies the keys of `patch` to `config`. Unknown keys and wrong types are errors naming the
// key; on error `config` is unchanged.
Status apply_fault_patch(const nlohmann::json& patch, FaultConfig& config);

nlohmann::json to_json(const FaultConfig& config);

}  // namespace osprey::fakes
