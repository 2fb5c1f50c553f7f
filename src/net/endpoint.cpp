#include "net/endpoint.h"

#include <utility>

namespace osprey::net {

Result<std::shared_ptr<const Endpoint>> make_endpoint(std::string_view text) {
  auto url = parse_url(text);
  if (!url) return url.error();
  auto endpoint = std::make_shared<Endpoint>();
  endpoint->text = std::string(text);
  endpoint->authority = url->authority();
  endpoint->pool_key = url->scheme + "://" + endpoint->authority;
  if (url->port != (url->tls() ? 443 : 80)) {
    endpoint->host_field = endpoint->authority;
  } else if (url->host.find(':') != std::string::npos) {
    endpoint->host_field = "[" + url->host + "]";
  } else {
    endpoint->host_field = url->host;
  }
  endpoint->url = std::move(*url);
  return std::shared_ptr<const Endpoint>(std::move(endpoint));
}

}  // namespace osprey::net
