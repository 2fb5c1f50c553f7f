#include "net/content_coding.h"

#include "net/headers.h"
#include "net/http_whitespace.h"

namespace osprey::net {

bool is_identity_content_coding(std::string_view list) {
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view coding = trim_ows(list.substr(0, comma));
    if (!coding.empty() && !iequals(coding, "identity")) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace osprey::net
