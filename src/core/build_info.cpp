#include "core/build_info.h"

#ifndef OSPREY_VERSION
#define OSPREY_VERSION "0.0.0"
#endif
namespace osprey {

namespace {
std::string_view commit_text = "unknown";  // set by main() before other threads exist
}  // namespace

std::string_view version() { return OSPREY_VERSION; }
std::string_view git_commit() { return commit_text; }
void set_git_commit(std::string_view commit) { commit_text = commit; }
std::string_view build_type() {
#if defined(NDEBUG) && defined(OSPREY_PGO_BUILD)
  return "release+pgo";
#elif defined(NDEBUG)
  return "release";
#else
  return "debug";
#endif
}

}  // namespace osprey
