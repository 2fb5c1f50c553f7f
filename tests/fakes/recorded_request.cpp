#include "fakes/recorded_request.h"

#include <boost/beast/core/string.hpp>

namespace osprey::fakes {

std::string RecordedRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (boost::beast::iequals(k, name)) return v;
  }
  return {};
}

bool RecordedRequest::has_header(std::string_view name) const {
  for (const auto& field : headers) {
    if (boost::beast::iequals(field.first, name)) return true;
  }
  return false;
}

}  // namespace osprey::fakes
