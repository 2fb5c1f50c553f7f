#include "core/process_stats.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace osprey {
namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Computed once: the start time never changes. Falls back to the first call's time.
double compute_start_time() {
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Field 2 (comm) may contain spaces; fields after the last ')' are space separated.
  const auto close = text.rfind(')');
  std::int64_t boot_time = 0;
  std::ifstream proc_stat("/proc/stat");
  for (std::string line; std::getline(proc_stat, line);) {
    if (line.rfind("btime ", 0) == 0) boot_time = std::stoll(line.substr(6));
  }
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (close == std::string::npos || boot_time == 0 || ticks_per_second <= 0) return now_seconds();
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  // After ')' come fields 3..; starttime is field 22, i.e. the 20th here.
  for (int i = 3; i <= 22 && (fields >> field); ++i) {
  }
  try {
    return static_cast<double>(boot_time) +
           static_cast<double>(std::stoull(field)) / static_cast<double>(ticks_per_second);
  } catch (const std::exception&) {
    return now_seconds();
  }
}

}  // namespace

std::int64_t resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<std::int64_t>(::sysconf(_SC_PAGESIZE));
}

double process_start_time_seconds() {
  static const double start = compute_start_time();
  return start;
}

double uptime_seconds() {
  const double up = now_seconds() - process_start_time_seconds();
  return up > 0 ? up : 0;
}

int open_fds() {
  std::error_code ec;
  int count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++count;
  }
  return ec ? -1 : count - 1;  // minus the descriptor the iteration itself holds open
}

}  // namespace osprey
