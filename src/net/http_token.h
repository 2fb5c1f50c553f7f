#pragma once
// RFC 9110 tokens: what HTTP methods and field names are made of. Shared by the readers of plain
// messages and the writer of upstream requests, so both agree on one table.
#include <array>
#include <string_view>

namespace osprey::net {

namespace detail {
inline constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}();
}  // namespace detail

inline bool is_token_char(char c) { return detail::kTokenChars[static_cast<unsigned char>(c)]; }

// A non-empty run of token characters.
inline bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

}  // namespace osprey::net
