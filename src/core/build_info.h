#pragma once
// Version facts baked in at build time (OSPREY_VERSION / OSPREY_GIT_COMMIT compile definitions).
#include <string_view>

namespace osprey {

std::string_view version();     // e.g. "0.1.0"
std::string_view git_commit();  // short hash, or "unknown"
std::string_view build_type();  // "release" (NDEBUG) or "debug"

}  // namespace osprey
