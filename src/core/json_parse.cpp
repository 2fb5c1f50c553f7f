#include "core/json_parse.h"

#include <cstring>

namespace osprey {

bool json_nesting_exceeds(std::string_view text, int limit) {
  int depth = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    switch (*p++) {
      case '[':
      case '{':
        if (++depth > limit) return true;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;  // a stray closer gives no credit for later openers
        break;
      case '"':
        // Skip the string: to the next quote that is not escaped.
        while (p != end) {
          const void* stop = std::memchr(p, '"', static_cast<std::size_t>(end - p));
          if (stop == nullptr) return false;
          const char* quote = static_cast<const char*>(stop);
          const char* back = quote;
          while (back != p && back[-1] == '\\') --back;
          p = quote + 1;
          if ((quote - back) % 2 == 0) break;  // an even run of backslashes escapes nothing
        }
        break;
      default:
        break;
    }
  }
  return false;
}

nlohmann::json parse_json(std::string_view text) {
  if (json_nesting_exceeds(text)) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string json_refusal(std::string_view text) {
  if (!json_nesting_exceeds(text)) return "not valid JSON";
  return "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
}

}  // namespace osprey
