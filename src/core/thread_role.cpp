#include "core/thread_role.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>

namespace osprey {

namespace {
constexpr int kBackgroundNiceIncrement = 5;
constexpr std::size_t kMaxNameChars = 15;
constexpr std::uint64_t kLatencySliceNs = 100'000;

// The kernel's struct sched_attr (linux/sched/types.h, which cannot be included next to glibc's
// <sched.h>); the layout is a stable ABI, and `size` tells the kernel which version it gets.
struct SchedAttr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
  std::uint32_t sched_util_min;
  std::uint32_t sched_util_max;
};

// The thread's nice value, or nullopt if it cannot be read.
std::optional<int> current_nice(id_t tid) {
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, tid);
  if (errno != 0) return std::nullopt;
  return nice;
}
}  // namespace

void set_current_thread_role(const char* name, ThreadPriority priority) {
  if (name != nullptr) {
    const std::string cut = std::string(name).substr(0, kMaxNameChars);
    pthread_setname_np(pthread_self(), cut.c_str());
  }
  if (priority == ThreadPriority::kNormal) return;
  // On Linux, PRIO_PROCESS and sched_setattr with a thread id change that one thread.
  const auto tid = static_cast<id_t>(gettid());
  const std::optional<int> nice = current_nice(tid);
  if (!nice) return;
  if (priority == ThreadPriority::kBackground) {
    setpriority(PRIO_PROCESS, tid, *nice + kBackgroundNiceIncrement);
    return;
  }
  SchedAttr attr{};
  attr.size = sizeof(attr);
  attr.sched_policy = SCHED_OTHER;
  attr.sched_nice = *nice;
  attr.sched_runtime = kLatencySliceNs;  // the slice a fair task asks for (EEVDF)
  syscall(SYS_sched_setattr, static_cast<pid_t>(tid), &attr, 0U);
}

}  // namespace osprey
