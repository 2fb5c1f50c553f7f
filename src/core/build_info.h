#pragma once
// Version facts baked in at build time: OSPREY_VERSION from CMake; the commit from the osprey
// binary's main(), which reads it at every build (set_git_commit), so libraries and tests need
// not rebuild for a new commit.
#include <string_view>

namespace osprey {

std::string_view version();     // e.g. "0.1.0"
std::string_view git_commit();  // short hash ("-dirty" if built with changes), or "unknown"
// Called once by main() before any other thread starts; `commit` must outlive the process.
void set_git_commit(std::string_view commit);
// "release" (NDEBUG) or "debug"; "release+pgo" when built by scripts/build-pgo.sh.
std::string_view build_type();

}  // namespace osprey
