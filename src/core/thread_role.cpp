#include "core/thread_role.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace osprey {

namespace {
constexpr int kBackgroundNiceIncrement = 5;
constexpr std::size_t kMaxNameChars = 15;
}  // namespace

void set_current_thread_role(const char* name, ThreadPriority priority) {
  const std::string cut = std::string(name).substr(0, kMaxNameChars);
  pthread_setname_np(pthread_self(), cut.c_str());
  if (priority != ThreadPriority::kBackground) return;
  // On Linux, PRIO_PROCESS with a thread id changes that one thread.
  const auto tid = static_cast<id_t>(gettid());
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno != 0) return;
  setpriority(PRIO_PROCESS, tid, current + kBackgroundNiceIncrement);
}

}  // namespace osprey
