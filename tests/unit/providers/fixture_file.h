#pragma once
// Test support: loads golden fixtures from tests/unit/providers/fixtures (found through
// OSPREY_SOURCE_DIR, which CTest sets, or relative to this file) and splits recorded SSE streams.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace osprey::providers::testing {

inline std::filesystem::path fixture_dir() {
  if (const char* root = std::getenv("OSPREY_SOURCE_DIR"); root != nullptr && *root != '\0') {
    return std::filesystem::path(root) / "tests/unit/providers/fixtures";
  }
  return std::filesystem::path(__FILE__).parent_path() / "fixtures";
}

inline std::string read_fixture(const std::string& relative) {
  const auto path = fixture_dir() / relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline nlohmann::json read_json_fixture(const std::string& relative) {
  return nlohmann::json::parse(read_fixture(relative));
}

struct SseEvent {
  std::string event;
  std::string data;
};

// Splits an SSE body into events (blank-line separated; "event:" and "data:" fields).
inline std::vector<SseEvent> split_sse(const std::string& body) {
  std::vector<SseEvent> events;
  SseEvent current;
  bool has_data = false;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (has_data) events.push_back(current);
      current = {};
      has_data = false;
      continue;
    }
    auto field = [&](const std::string& name) -> std::optional<std::string> {
      if (line.rfind(name + ":", 0) != 0) return std::nullopt;
      std::string v = line.substr(name.size() + 1);
      if (!v.empty() && v.front() == ' ') v.erase(0, 1);
      return v;
    };
    if (auto e = field("event")) current.event = *e;
    if (auto d = field("data")) {
      if (has_data) current.data += "\n";
      current.data += *d;
      has_data = true;
    }
  }
  if (has_data) events.push_back(current);
  return events;
}

inline std::vector<std::string> split_lines(const std::string& body) {
  std::vector<std::string> lines;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace osprey::providers::testing
