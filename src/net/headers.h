#pragma once
// Headers: an ordered list of HTTP header fields with case-insensitive lookup.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace osprey::net {

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // Returns the first value of `name` (case-insensitive), or empty if absent.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  // Replaces every field named `name` with one field.
  void set(std::string_view name, std::string_view value);
  void add(std::string_view name, std::string_view value);
  void erase(std::string_view name);
  // Room for `n` fields, so copying a parsed message's fields allocates the list once.
  void reserve(std::size_t n) { fields_.reserve(n); }

  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace osprey::net
