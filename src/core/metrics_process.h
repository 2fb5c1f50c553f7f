#pragma once
// Standard process metrics (memory, start time, open fds, uptime, build info), refreshed by a
// collector before each render of the registry.
#include "core/metrics.h"

namespace osprey::metrics {

// Registers process_resident_memory_bytes, process_start_time_seconds, process_open_fds,
// osprey_uptime_seconds and osprey_build_info{version,commit} on `registry`.
void register_process_metrics(Registry& registry);

}  // namespace osprey::metrics
