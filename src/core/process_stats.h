#pragma once
// Facts about the running process, read from /proc on demand. Thread-safe; each call does a
// small read, so call from a metrics collector, not per request.
#include <cstdint>

namespace osprey {

// Resident set size in bytes (/proc/self/statm); 0 if unavailable.
std::int64_t resident_memory_bytes();
// When the process started, as unix time in seconds (/proc/self/stat + boot time).
double process_start_time_seconds();
// Seconds since process start.
double uptime_seconds();
// Open file descriptors (/proc/self/fd); -1 if unavailable.
int open_fds();

}  // namespace osprey
