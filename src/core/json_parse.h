#pragma once
// parse_json: nlohmann's parser for JSON text from outside the process (request bodies, upstream
// answers, uploaded files, stored documents) with a cap on nesting. nlohmann parses any depth,
// but dump(), copies and comparisons recurse once per level: 50,000 '[' (a 100 KB body)
// overflow the stack. Text nested deeper than the cap is refused like invalid text.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace osprey {

// Far beyond any real request (OpenAI caps structured-output schemas at 10 levels), far below
// what overflows a stack.
inline constexpr int kMaxJsonDepth = 128;

// True when arrays and objects in `text` open more than `limit` levels deep. Brackets inside
// strings do not count; the text need not be valid JSON.
bool json_nesting_exceeds(std::string_view text, int limit = kMaxJsonDepth);

// A discarded value (is_discarded()) when `text` is not valid JSON or nests deeper than
// kMaxJsonDepth; never throws.
nlohmann::json parse_json(std::string_view text);

// Why parse_json refused `text`: "nested deeper than 128 levels" or "not valid JSON".
std::string json_refusal(std::string_view text);

}  // namespace osprey
