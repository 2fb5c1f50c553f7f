#include "store/redacted_url.h"

namespace osprey::store {
namespace {

constexpr std::string_view kMask = "***";

// Masks the value after every "password=" (query string or libpq key/value form).
std::string redact_password_params(std::string url) {
  constexpr std::string_view kKey = "password=";
  std::size_t pos = 0;
  while ((pos = url.find(kKey, pos)) != std::string::npos) {
    const std::size_t start = pos + kKey.size();
    std::size_t end = url.find_first_of("& ", start);
    if (end == std::string::npos) end = url.size();
    url.replace(start, end - start, kMask);
    pos = start + kMask.size();
  }
  return url;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  const std::size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const std::size_t authority = scheme_end + 3;
    std::size_t authority_end = out.find_first_of("/?", authority);
    if (authority_end == std::string::npos) authority_end = out.size();
    // The last '@' ends the userinfo: a password may itself contain '@'.
    const std::size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at > authority) {
      const std::size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, kMask);
      }
    }
  }
  return redact_password_params(std::move(out));
}

}  // namespace osprey::store
