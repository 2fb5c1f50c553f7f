#pragma once
// Test support: the lines of a JSONL text (Bedrock batch input and output files), parsed.
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace osprey::providers::testing {

inline std::vector<nlohmann::json> jsonl_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace osprey::providers::testing
