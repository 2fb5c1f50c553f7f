#include "jobs/timestamp.h"

#include <cstdio>
#include <ctime>
#include <string>

namespace osprey::jobs {

std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  const std::string t(text);
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const std::time_t secs = ::timegm(&tm);
  int millis = 0;
  if (static_cast<std::size_t>(n) < t.size() && t[static_cast<std::size_t>(n)] == '.') {
    int scale = 100;
    for (std::size_t i = static_cast<std::size_t>(n) + 1;
         i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
      millis += (t[i] - '0') * scale;
      scale /= 10;
    }
  }
  return std::chrono::system_clock::from_time_t(secs) + std::chrono::milliseconds(millis);
}

}  // namespace osprey::jobs
