#pragma once
// Appending JSON text by hand, for hot paths that serialize without building a DOM. Byte for
// byte what nlohmann::json::dump() writes for the same value, so both paths can be mixed.
// Pure; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

namespace osprey::providers {

// Appends `text` as a quoted JSON string escaped as dump() does: \" \\ \b \f \n \r \t, other
// control characters as \u00xx, everything else verbatim. Returns false (having appended a
// partial string) if `text` is not valid UTF-8, where dump() would throw.
bool append_json_text(std::string& out, std::string_view text);

// Appends a number as dump() writes it: an integer in decimal; a double in nlohmann's shortest
// round-trip form (its own Grisu2 writer, so "0.0", "1e+20" and the digits are the same), and
// null for NaN and the infinities. Neither builds a json value.
void append_json_integer(std::string& out, std::int64_t value);
void append_json_double(std::string& out, double value);

}  // namespace osprey::providers
