#include "app/jobs_authentication.h"

#include <memory>
#include <utility>

#include "gateway/auth/authenticated_route.h"

namespace osprey::app {

Result<jobs::Authenticated> jobs_authentication(AppContext& ctx) {
  if (!ctx.authenticator) {
    return make_error(ErrorCode::kInternal, "jobs routes need the authentication stage");
  }
  std::shared_ptr<const gateway::Authenticator> auth = ctx.authenticator;
  return jobs::Authenticated([auth](jobs::PrincipalHandler handler) -> net::Handler {
    return gateway::tenant_route(auth, std::move(handler));
  });
}

}  // namespace osprey::app
