#pragma once
// sleep_for: a coroutine-friendly wait, so code outside net/ can pause without including Asio.
// Suspends only the calling coroutine; the I/O thread keeps serving others.
#include <chrono>

#include "net/task.h"

namespace osprey::net {

// Resumes the awaiting coroutine on its own executor after `d`.
Task<void> sleep_for(std::chrono::milliseconds d);

}  // namespace osprey::net
