#pragma once
// run_concurrently: runs a batch of independent coroutines side by side on the caller's executor,
// at most `max_in_flight` at a time, and resumes the caller once every one has finished. For code
// outside net/ (the health checker's probes) that must not see Asio. A job that throws is
// counted as finished (the exception is dropped: jobs report their own failures).
// Thread-safety: the jobs may run on any thread of the executor's io_context; they share nothing
// through this function.
#include <cstddef>
#include <functional>
#include <vector>

#include "net/task.h"

namespace osprey::net {

using TaskFactory = std::function<Task<void>()>;

// Starts jobs in order as slots free up. max_in_flight = 0 counts as 1.
Task<void> run_concurrently(std::vector<TaskFactory> jobs, std::size_t max_in_flight);

}  // namespace osprey::net
