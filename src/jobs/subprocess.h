#pragma once
// run_subprocess: runs an executable with bytes on its stdin, capturing stdout and stderr, with a
// deadline. The child runs in its own process group; on timeout (or when `stop` turns true) the
// whole group gets SIGKILL, so grandchildren cannot outlive the item. Blocking; thread-safe
// (posix_spawn, close-on-exec pipes), so many worker threads may run children at once.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"

namespace osprey::jobs {

struct SubprocessOptions {
  std::vector<std::string> argv;  // argv[0] is the executable (PATH is searched)
  std::vector<std::string> env;   // extra "NAME=value" entries on top of the parent's
  std::string stdin_data;
  std::chrono::milliseconds timeout{60000};
  std::size_t max_stdout_bytes = 16 * 1024 * 1024;  // beyond it the child is killed
  std::size_t max_stderr_bytes = 64 * 1024;         // only the last bytes are kept
  const std::atomic<bool>* stop = nullptr;          // polled; kills the group when true
};

struct SubprocessResult {
  int exit_code = -1;   // when exited normally
  int term_signal = 0;  // when killed by a signal
  bool timed_out = false;
  bool stopped = false;          // killed because `stop` turned true
  bool stdout_overflow = false;  // killed for writing more than max_stdout_bytes
  std::string stdout_data;
  std::string stderr_tail;
  std::chrono::milliseconds elapsed{0};
};

// kInternal when the child cannot be started (executable missing, out of fds); the message says
// why.
Result<SubprocessResult> run_subprocess(const SubprocessOptions& options);

}  // namespace osprey::jobs
