#include "gateway/gateway_routes.h"

#include <chrono>
#include <memory>

#include "gateway/admin_reload_route.h"
#include "gateway/chat_completions_route.h"
#include "gateway/models_route.h"

namespace osprey::gateway {

void add_gateway_routes(net::Router& routes, const GatewayDeps& deps) {
  auto chat = std::make_shared<const ChatCompletionsRoute>(deps.router, deps.metrics, deps.clock,
                                                           deps.options);
  routes.post("/v1/chat/completions",
              [chat](net::Request& request) { return chat->handle(request); });

  const auto started =
      std::chrono::duration_cast<std::chrono::seconds>(deps.clock.wall_now().time_since_epoch())
          .count();
  auto models = std::make_shared<const ModelsRoute>(deps.router, started);
  routes.get("/v1/models", [models](net::Request& request) { return models->handle(request); });

  auto reload = std::make_shared<const AdminReloadRoute>(deps.reloader, deps.workers);
  routes.post("/admin/reload", [reload](net::Request& request) { return reload->handle(request); });
}

}  // namespace osprey::gateway
