#pragma once
// StringMap: an unordered_map keyed by std::string that is looked up by std::string_view without
// building a std::string (heterogeneous lookup), for maps probed on hot paths.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace osprey {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace osprey
