#include <cstdio>
#include <string>

#include "app/commands.h"
#include "core/build_info.h"

namespace osprey::app {

int run_version(const CommandLine&) {
  std::printf("osprey %.*s %.*s (commit %.*s)\n", static_cast<int>(osprey::version().size()),
              osprey::version().data(), static_cast<int>(osprey::build_type().size()),
              osprey::build_type().data(), static_cast<int>(osprey::git_commit().size()),
              osprey::git_commit().data());
  return 0;
}

}  // namespace osprey::app
