#include "gateway/gateway_routes.h"

#include <chrono>
#include <memory>

#include "gateway/admin_reload_route.h"
#include "gateway/cache/cache_invalidate_route.h"
#include "gateway/chat_completions_route.h"
#include "gateway/models_route.h"

namespace osprey::gateway {

void add_gateway_routes(net::Router& routes, const GatewayDeps& deps) {
  auto chat = std::make_shared<const ChatCompletionsRoute>(
      deps.router, deps.metrics, deps.clock, deps.options,
      ChatStages{.cache = deps.cache, .admission = deps.admission, .limits = deps.limits});
  routes.post("/v1/chat/completions", [chat](net::Request& request) {
    static const Principal kAnonymous;  // until the auth stage hands in the caller
    return chat->handle(request, kAnonymous);
  });

  const auto started =
      std::chrono::duration_cast<std::chrono::seconds>(deps.clock.wall_now().time_since_epoch())
          .count();
  auto models = std::make_shared<const ModelsRoute>(deps.router, started);
  routes.get("/v1/models", [models](net::Request& request) { return models->handle(request); });

  auto reload = std::make_shared<const AdminReloadRoute>(deps.reloader, deps.workers);
  routes.post("/admin/reload", [reload](net::Request& request) { return reload->handle(request); });

  if (deps.cache != nullptr) {
    auto invalidate = std::make_shared<const CacheInvalidateRoute>(deps.cache->cache());
    routes.post("/admin/cache/invalidate",
                [invalidate](net::Request& request) { return invalidate->handle(request); });
  }
}

}  // namespace osprey::gateway
