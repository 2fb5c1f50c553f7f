#pragma once
// UTC timestamps in the one text form Osprey writes (log lines, usage-ledger rows, audit
// entries): "2026-11-25T12:00:00.123Z", milliseconds, sub-milliseconds dropped (times before 1970
// are floored). Thread-safe.
#include <chrono>
#include <cstddef>
#include <string>

namespace osprey {

// Room write_utc_timestamp needs (24 bytes for years 0000-9999, which every system_clock time
// is).
constexpr std::size_t kUtcTimestampBound = 32;
// Writes the timestamp of `when` at `out`; returns the end of what it wrote.
char* write_utc_timestamp(char* out, std::chrono::system_clock::time_point when);
std::string utc_timestamp(std::chrono::system_clock::time_point when);

}  // namespace osprey
