#include "batch/api/route_params.h"

#include <charconv>
#include <string>

namespace osprey::batch {

net::Response error_response(const Error& e, const net::Request& request) {
  return net::Response::error(e, request.request_id);
}

Result<int> limit_param(const net::Request& request, int fallback, int max) {
  const auto value = request.query_param("limit");
  if (!value || value->empty()) return fallback;
  int limit = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), limit);
  if (ec != std::errc() || end != value->data() + value->size() || limit < 1 || limit > max) {
    return invalid_param("limit", "must be an integer in [1, " + std::to_string(max) + "]");
  }
  return limit;
}

}  // namespace osprey::batch
