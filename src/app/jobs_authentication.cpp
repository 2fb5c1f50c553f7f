#include "app/jobs_authentication.h"

#include "core/log.h"

namespace osprey::app {

Result<jobs::Authenticated> jobs_authentication(AppContext& ctx) {
  gateway::Principal principal;
  principal.tenant_name = "default";
  auto tenants = ctx.store->list_tenants();
  if (!tenants) return tenants.error();
  for (const auto& t : tenants.value()) {
    if (t.name == principal.tenant_name) principal.tenant_id = t.id;
  }
  if (principal.tenant_id == 0) {
    auto created = ctx.store->create_tenant(principal.tenant_name, "{}");
    if (!created && created.code() == ErrorCode::kConflict) {  // another replica won the race
      return jobs_authentication(ctx);
    }
    if (!created) return created.error();
    principal.tenant_id = created->id;
  }
  log::warn("jobs_api_unauthenticated", {{"tenant", principal.tenant_name}});
  return jobs::Authenticated([principal](jobs::PrincipalHandler handler) -> net::Handler {
    return [principal, handler = std::move(handler)](net::Request& request) {
      return handler(request, principal);
    };
  });
}

}  // namespace osprey::app
