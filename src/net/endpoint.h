#pragma once
// Endpoint: an absolute http(s) URL parsed once, with what every request to it derives from it
// (the pool key, the authority for errors, the Host field). The client makes one per request
// from ClientRequest::url; a caller that sends many requests to one fixed URL (a provider's chat
// URL) makes it once and shares it through ClientRequest::endpoint. Immutable, so shared freely.
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "net/url.h"

namespace osprey::net {

struct Endpoint {
  std::string text;        // the URL as given
  Url url;                 // its parts
  std::string authority;   // url.authority(): "host:port", IPv6 in brackets
  std::string pool_key;    // "scheme://authority": connections are pooled per key
  std::string host_field;  // the Host header value: the authority without a default port
};

// Parses `url` (parse_url's rules and errors).
Result<std::shared_ptr<const Endpoint>> make_endpoint(std::string_view url);

}  // namespace osprey::net
