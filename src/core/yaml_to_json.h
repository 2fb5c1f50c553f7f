#pragma once
// Reads a YAML file into nlohmann::json without exposing yaml-cpp to callers. Used by the config
// loader; stateless and thread-safe.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey {

struct YamlDocument {
  // Plain scalars are typed by the YAML 1.2 core schema (null, bool, int, float, else string);
  // quoted scalars stay strings. An empty file yields an empty object.
  nlohmann::json root = nlohmann::json::object();
  // 1-based line of every mapping key, by dotted path ("server.listen"), for error messages.
  std::map<std::string, int> key_lines;
};

// Fails with kConfigInvalid naming the file and line for unreadable files, malformed YAML,
// duplicate keys, non-scalar mapping keys, and documents nested deeper than 64 levels.
Result<YamlDocument> load_yaml_file(const std::string& path);
Result<YamlDocument> parse_yaml(const std::string& text, const std::string& name);

}  // namespace osprey
