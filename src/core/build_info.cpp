#include "core/build_info.h"

#ifndef OSPREY_VERSION
#define OSPREY_VERSION "0.0.0"
#endif
#ifndef OSPREY_GIT_COMMIT
#define OSPREY_GIT_COMMIT "unknown"
#endif

namespace osprey {

std::string_view version() { return OSPREY_VERSION; }
std::string_view git_commit() { return OSPREY_GIT_COMMIT; }
std::string_view build_type() {
#ifdef NDEBUG
  return "release";
#else
  return "debug";
#endif
}

}  // namespace osprey
