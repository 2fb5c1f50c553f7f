#include "net/request.h"

#include "net/percent_decode.h"

namespace osprey::net {

std::string_view Request::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

namespace {

// Calls fn(raw key, raw value, has '=') for each non-empty `key[=value]` of the query, in order,
// until fn returns true.
template <typename Fn>
void for_each_raw_param(std::string_view query, Fn fn) {
  std::string_view rest = query;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (fn(pair.substr(0, eq), value, eq != std::string_view::npos)) return;
  }
}

}  // namespace

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::optional<std::string> found;
  for_each_raw_param(query, [&](std::string_view key, std::string_view value, bool has_value) {
    if (percent_decode(key, true) != name) return false;
    found = has_value ? percent_decode(value, true) : std::string{};
    return true;
  });
  return found;
}

std::vector<std::pair<std::string, std::string>> Request::query_params() const {
  std::vector<std::pair<std::string, std::string>> out;
  for_each_raw_param(query, [&](std::string_view key, std::string_view value, bool) {
    out.emplace_back(percent_decode(key, true), percent_decode(value, true));
    return false;
  });
  return out;
}

}  // namespace osprey::net
