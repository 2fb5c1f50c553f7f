#pragma once
// The viewer's static files (src/experiments/viewer/), compiled into the binary by CMake.
#include <string_view>

namespace osprey::experiments {

// The file's text by name ("index.html", "viewer.js", "viewer.css"); empty when there is none.
std::string_view viewer_asset(std::string_view name);

}  // namespace osprey::experiments
