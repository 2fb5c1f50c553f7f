#include "net/transfer_coding.h"

#include <vector>

#include "net/headers.h"
#include "net/http_token.h"
#include "net/http_whitespace.h"

namespace osprey::net {

TransferCoding read_transfer_coding(std::string_view list) {
  std::vector<std::string_view> codings;
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim_ows(list.substr(0, comma));
    if (!element.empty()) codings.push_back(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (codings.empty() || !iequals(codings.back(), "chunked")) return TransferCoding::kBadFraming;
  codings.pop_back();
  for (const std::string_view coding : codings) {
    // A coding's parameters (";q=..") do not matter; its name must still be a token.
    const std::string_view name = trim_ows(coding.substr(0, coding.find(';')));
    if (!is_token(name) || iequals(name, "chunked")) return TransferCoding::kBadFraming;
  }
  return codings.empty() ? TransferCoding::kChunked : TransferCoding::kUnsupported;
}

}  // namespace osprey::net
