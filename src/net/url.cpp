#include "net/url.h"

#include <algorithm>
#include <charconv>

namespace osprey::net {
namespace {

Error bad_url(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::kInvalidRequest,
                    "invalid URL '" + std::string(text) + "': " + std::string(why));
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
    return bad_url(text, "contains spaces or control characters");
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return bad_url(text, "missing scheme");
  Url url;
  for (char c : text.substr(0, scheme_end)) url.scheme.push_back(lower(c));
  if (url.scheme != "http" && url.scheme != "https") {
    return bad_url(text, "unsupported scheme '" + url.scheme + "' (only http and https)");
  }
  url.port = url.tls() ? 443 : 80;

  std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad_url(text, "user info in URLs is not supported");
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(text, "unterminated IPv6 literal");
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(text, "unexpected text after IPv6 literal");
      port_text = after.substr(1);
      if (port_text.empty()) return bad_url(text, "empty port");
    }
    const bool hex_or_colon = std::all_of(url.host.begin(), url.host.end(), [](char c) {
      return c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
             (c >= 'A' && c <= 'F');
    });
    if (url.host.empty() || !hex_or_colon) return bad_url(text, "bad IPv6 literal");
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad_url(text, "empty port");
    }
    if (!std::all_of(url.host.begin(), url.host.end(), valid_host_char)) {
      return bad_url(text, "bad character in host");
    }
  }
  if (url.host.empty()) return bad_url(text, "empty host");

  if (!port_text.empty()) {
    unsigned value = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return bad_url(text, "bad port '" + std::string(port_text) + "'");
    }
    url.port = static_cast<std::uint16_t>(value);
  }

  const auto fragment = tail.find('#');
  tail = tail.substr(0, fragment);
  // A bare "?query" still needs the root path in the request line.
  if (tail.empty() || tail.front() == '?') url.target.push_back('/');
  url.target.append(tail);
  return url;
}

}  // namespace osprey::net
