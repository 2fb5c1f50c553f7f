#pragma once
// Formatting pieces of one JSON log line, written by hand because this runs once per request.
// Pure functions; thread-safe.
#include <chrono>
#include <string>
#include <string_view>

namespace osprey::log {

// Appends `text` as a JSON string (with quotes): control characters, quotes and backslashes
// escaped; invalid UTF-8 replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view text);
// Shortest round-trip form; NaN and infinities become null (JSON has no such numbers).
void append_json_double(std::string& out, double value);
// "2026-11-25T12:00:00.123Z" (UTC, milliseconds).
void append_timestamp(std::string& out, std::chrono::system_clock::time_point when);

}  // namespace osprey::log
