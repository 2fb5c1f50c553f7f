#include "gateway/admin_reload_route.h"

#include <nlohmann/json.hpp>

namespace osprey::gateway {

AdminReloadRoute::AdminReloadRoute(RouterReloader& reloader, net::WorkerPool& workers)
    : reloader_(reloader), workers_(workers) {}

net::Task<net::Response> AdminReloadRoute::handle(net::Request& request,
                                                  const Principal& principal) const {
  RouterReloader& reloader = reloader_;
  const std::string actor = "key:" + principal.key_prefix;
  auto reload = [&reloader, &actor] { return reloader.reload("admin_api", actor); };
  Result<std::size_t> models = co_await workers_.run(reload);
  if (!models) {
    // A bad config file is the caller's input here, not a start-up failure.
    co_return net::Response::error({ErrorCode::kInvalidRequest, models.error().message},
                                   request.request_id);
  }
  nlohmann::json body = {{"status", "reloaded"}, {"models", models.value()}};
  co_return net::Response::json(200, body.dump());
}

}  // namespace osprey::gateway
