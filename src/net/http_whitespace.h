#pragma once
// HTTP's optional whitespace (OWS, RFC 9110 section 5.6.3: spaces and horizontal tabs) around
// header values and their parameters.
#include <string_view>

namespace osprey::net {

// `s` without its leading and trailing spaces and tabs.
inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace osprey::net
