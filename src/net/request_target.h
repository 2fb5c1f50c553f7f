#pragma once
// Which request targets the server serves (RFC 9112 section 3.2): origin-form ("/path?query")
// for every method and asterisk-form ("*") for OPTIONS. The absolute and authority forms are for
// proxies; the router would read them as paths, so they are refused (400) like any other target.
#include <string_view>

namespace osprey::net {

bool is_served_request_target(std::string_view method, std::string_view target);

}  // namespace osprey::net
