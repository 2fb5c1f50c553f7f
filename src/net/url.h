#pragma once
// Url: the parts of an http(s) URL the HTTP client needs to open a connection and send a
// request line. parse_url is a pure function; it never resolves names.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace osprey::net {

struct Url {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // name or IP literal; IPv6 without brackets ("::1")
  std::uint16_t port = 0;
  std::string target;  // path + query, at least "/"; the fragment is dropped

  bool tls() const { return scheme == "https"; }
  // "host:port", with IPv6 hosts in brackets; used in the Host header and in error messages.
  std::string authority() const;
};

// Parses an absolute http:// or https:// URL. Default ports are 80 and 443; IPv6 literals are
// written in brackets ("http://[::1]:8080/x"). Fails with kInvalidRequest naming the problem
// (unsupported scheme, empty host, bad port, user info, control characters).
Result<Url> parse_url(std::string_view text);

}  // namespace osprey::net
