#pragma once
// Parses the store's ISO-8601 UTC timestamps ("2026-11-25T13:55:00.123Z", fraction optional).
#include <chrono>
#include <optional>
#include <string_view>

namespace osprey::jobs {

std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text);

}  // namespace osprey::jobs
