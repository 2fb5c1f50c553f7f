#include "net/headers.h"

#include <algorithm>
#include <tuple>

namespace osprey::net {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // Equal bytes need no folding: most names compared already agree in case.
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view Headers::get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (iequals(key, name)) return value;
  }
  return {};
}

bool Headers::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [name](const Field& f) { return iequals(f.first, name); });
}

void Headers::set(std::string_view name, std::string_view value) {
  erase(name);
  add(name, value);
}

void Headers::add(std::string_view name, std::string_view value) {
  // Built in place: no temporary strings to move into the list.
  fields_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                       std::forward_as_tuple(value));
}

void Headers::erase(std::string_view name) {
  std::erase_if(fields_, [name](const Field& f) { return iequals(f.first, name); });
}

}  // namespace osprey::net
