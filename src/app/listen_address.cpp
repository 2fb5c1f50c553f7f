#include "app/listen_address.h"

#include <charconv>

namespace osprey::app {

Result<ListenAddress> parse_listen_address(std::string_view value) {
  auto bad = [&] {
    return make_error(ErrorCode::kConfigInvalid,
                      "server.listen: expected host:port (got \"" + std::string(value) + "\")");
  };
  const auto colon = value.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = value.substr(0, colon);
  std::string_view port = value.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned parsed = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), parsed);
  if (ec != std::errc() || end != port.data() + port.size() || parsed > 65535 || host.empty()) {
    return bad();
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(parsed)};
}

}  // namespace osprey::app
