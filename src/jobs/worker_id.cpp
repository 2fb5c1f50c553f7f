#include "jobs/worker_id.h"

#include <unistd.h>

namespace osprey::jobs {

std::string process_worker_id() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) return "host:" + std::to_string(::getpid());
  return std::string(host) + ":" + std::to_string(::getpid());
}

}  // namespace osprey::jobs
