#pragma once
// The JSON Schemas of request bodies, compiled into the binary from
// src/gateway/validation/schemas/<name>.schema.json (see src/gateway/CMakeLists.txt).
#include <string_view>

namespace osprey::gateway::validation {

// The schema text for `name` (the file name without ".schema.json"), or empty if there is none.
std::string_view embedded_schema(std::string_view name);

}  // namespace osprey::gateway::validation
