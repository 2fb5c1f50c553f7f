#include "gateway/cache/cache_invalidate_route.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/json_parse.h"
#include "core/log.h"

namespace osprey::gateway {
namespace {

Result<CacheInvalidation> parse_invalidation(const std::string& body) {
  const nlohmann::json j = parse_json(body);
  if (j.is_discarded())
    return make_error(ErrorCode::kInvalidRequest, "body is " + json_refusal(body));
  if (!j.is_object()) {
    return make_error(ErrorCode::kInvalidRequest, "body must be a JSON object");
  }
  CacheInvalidation which;
  bool all = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "model" && value.is_string() && !value.get<std::string>().empty()) {
      which.model = value.get<std::string>();
    } else if (key == "tenant_id" && value.is_number_integer()) {
      which.tenant_id = value.get<std::int64_t>();
    } else if (key == "all" && value.is_boolean()) {
      all = value.get<bool>();
    } else {
      return make_error(ErrorCode::kInvalidRequest,
                        key +
                            ": expected \"model\" (string), \"tenant_id\" (integer) or "
                            "\"all\" (true)");
    }
  }
  if (all && (which.model || which.tenant_id)) {
    return make_error(ErrorCode::kInvalidRequest, "all: give either all or model/tenant_id");
  }
  if (!all && !which.model && !which.tenant_id) {
    return make_error(ErrorCode::kInvalidRequest,
                      "give \"model\", \"tenant_id\" or both, or {\"all\": true}");
  }
  return which;
}

}  // namespace

CacheInvalidateRoute::CacheInvalidateRoute(std::shared_ptr<ResponseCache> cache)
    : cache_(std::move(cache)) {}

net::Task<net::Response> CacheInvalidateRoute::handle(net::Request& request) const {
  Result<CacheInvalidation> which = parse_invalidation(request.body);
  if (!which) co_return net::Response::error(which.error(), request.request_id);
  CacheInvalidation what = which.value();
  const std::size_t dropped = co_await cache_->invalidate(std::move(what));
  log::info("cache_invalidated", {{"model", which->model.value_or("*")},
                                  {"tenant_id", which->tenant_id.value_or(-1)},
                                  {"entries", dropped}});
  nlohmann::json body = {{"invalidated", dropped}};
  co_return net::Response::json(200, body.dump());
}

}  // namespace osprey::gateway
