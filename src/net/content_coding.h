#pragma once
// Content-Encoding on a request body (RFC 9110 section 8.4). The server decodes no content
// coding, so a compressed body would reach handlers as bytes that only look like garbage JSON;
// such a request is answered 415 (RFC 9110 section 15.5.16) instead.
#include <string_view>

namespace osprey::net {

// `list` is every Content-Encoding field value of the request joined with commas. True if the
// body is readable as sent: no coding at all, or only "identity" (any case).
bool is_identity_content_coding(std::string_view list);

}  // namespace osprey::net
