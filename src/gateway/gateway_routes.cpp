#include "gateway/gateway_routes.h"

#include <chrono>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "gateway/admin/tenancy_routes.h"
#include "gateway/admin_reload_route.h"
#include "gateway/auth/authenticated_route.h"
#include "gateway/cache/cache_invalidate_route.h"
#include "gateway/chat_completions_route.h"
#include "gateway/models_route.h"

namespace osprey::gateway {

namespace {

// Cache invalidation is an admin action: a successful one goes to the audit log.
net::Task<net::Response> invalidate_and_audit(std::shared_ptr<const CacheInvalidateRoute> route,
                                              AuditQueue* audit, net::Request& request,
                                              const Principal& principal) {
  net::Response response = co_await route->handle(request);
  if (audit != nullptr && response.status == 200) {
    nlohmann::json detail = parse_json(request.body);
    if (!detail.is_object()) detail = nlohmann::json::object();
    audit->append({.at = {},
                   .actor = "key:" + principal.key_prefix,
                   .action = "cache.invalidate",
                   .target = "cache",
                   .detail_json = detail.dump()});
  }
  co_return response;
}

}  // namespace

void add_gateway_routes(net::Router& routes, const GatewayDeps& deps) {
  auto chat = std::make_shared<const ChatCompletionsRoute>(deps.router, deps.metrics, deps.clock,
                                                           deps.options,
                                                           ChatStages{.validator = deps.validator,
                                                                      .cache = deps.cache,
                                                                      .admission = deps.admission,
                                                                      .limits = deps.limits});
  routes.post("/v1/chat/completions",
              tenant_route(deps.auth, [chat](net::Request& request, const Principal& principal) {
                return chat->handle(request, principal);
              }));

  const auto started =
      std::chrono::duration_cast<std::chrono::seconds>(deps.clock.wall_now().time_since_epoch())
          .count();
  auto models = std::make_shared<const ModelsRoute>(deps.router, started);
  routes.get("/v1/models",
             tenant_route(deps.auth, [models](net::Request& request, const Principal& principal) {
               return models->handle(request, principal);
             }));

  auto reload = std::make_shared<const AdminReloadRoute>(deps.reloader, deps.workers);
  routes.post("/admin/reload",
              admin_route(deps.auth, [reload](net::Request& request, const Principal& principal) {
                return reload->handle(request, principal);
              }));

  if (deps.cache != nullptr) {
    auto invalidate = std::make_shared<const CacheInvalidateRoute>(deps.cache->cache());
    AuditQueue* audit = deps.audit;
    routes.post("/admin/cache/invalidate",
                admin_route(deps.auth,
                            [invalidate, audit](net::Request& request, const Principal& principal) {
                              return invalidate_and_audit(invalidate, audit, request, principal);
                            }));
  }

  add_tenancy_routes(
      routes, {.store = deps.store, .workers = deps.workers, .keys = deps.keys, .auth = deps.auth});
}

}  // namespace osprey::gateway
