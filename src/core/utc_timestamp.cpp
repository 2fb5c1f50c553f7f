#include "core/utc_timestamp.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace osprey {

char* write_utc_timestamp(char* out, std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto ms_total = duration_cast<milliseconds>(when.time_since_epoch()).count();
  // Log lines and ledger rows come many per millisecond: format the whole timestamp once per
  // millisecond and thread (and the date and time only when the second changes).
  thread_local std::int64_t cached_ms = 0;
  thread_local std::time_t cached_secs = 0;
  thread_local char cached[kUtcTimestampBound];
  thread_local std::size_t cached_len = 0;  // 0: nothing cached yet
  if (ms_total != cached_ms || cached_len == 0) {
    auto secs = static_cast<std::time_t>(ms_total / 1000);
    auto ms = static_cast<int>(ms_total % 1000);
    if (ms < 0) {  // before 1970: floor, not truncate
      ms += 1000;
      --secs;
    }
    std::size_t len = cached_len == 0 ? 0 : cached_len - 4;  // the date and time, with the '.'
    if (secs != cached_secs || cached_len == 0) {
      std::tm tm{};
      gmtime_r(&secs, &tm);
      const int n = std::snprintf(cached, sizeof cached - 4, "%04d-%02d-%02dT%02d:%02d:%02d.",
                                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                  tm.tm_min, tm.tm_sec);
      len = n > 0 ? std::min(static_cast<std::size_t>(n), sizeof cached - 5) : 0;
      cached_secs = secs;
    }
    cached[len] = static_cast<char>('0' + ms / 100);
    cached[len + 1] = static_cast<char>('0' + ms / 10 % 10);
    cached[len + 2] = static_cast<char>('0' + ms % 10);
    cached[len + 3] = 'Z';
    cached_len = len + 4;
    cached_ms = ms_total;
  }
  std::memcpy(out, cached, cached_len);
  return out + cached_len;
}

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  char buffer[kUtcTimestampBound];
  return std::string(buffer, write_utc_timestamp(buffer, when));
}

}  // namespace osprey
