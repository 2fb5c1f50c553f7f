#pragma once
// RecordedRequest: one HTTP request exactly as a fake upstream received it, so tests can assert
// what Osprey sent. A plain value; copy freely.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace osprey::fakes {

struct RecordedRequest {
  std::string method;
  std::string target;  // raw request-target, e.g. "/v1/chat/completions?x=1"
  std::string path;    // target without the query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // First value of header `name` (case-insensitive), or empty.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

}  // namespace osprey::fakes
