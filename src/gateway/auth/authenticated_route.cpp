#include "gateway/auth/authenticated_route.h"

#include <utility>

namespace osprey::gateway {
namespace {

// Takes its state by value (shared pointers), so the coroutine frame owns what it uses.
net::Task<net::Response> run_authenticated(std::shared_ptr<const Authenticator> auth,
                                           std::shared_ptr<const PrincipalHandler> handler,
                                           bool admin_only, net::Request& request) {
  Result<Principal> principal = co_await auth->authenticate(request);
  if (!principal) {
    net::Response refused = net::Response::error(principal.error(), request.request_id);
    if (http_status(principal.error().code) == 401) {
      refused.headers.set("WWW-Authenticate", "Bearer");
    }
    co_return refused;
  }
  if (admin_only && !principal->admin) {
    auth->record_forbidden(*principal, request, "admin_required");
    co_return net::Response::error(
        {ErrorCode::kForbidden, "admin_key_required: this route needs an admin key"},
        request.request_id);
  }
  co_return co_await (*handler)(request, *principal);
}

net::Handler wrap(std::shared_ptr<const Authenticator> auth, PrincipalHandler handler,
                  bool admin_only) {
  auto shared = std::make_shared<const PrincipalHandler>(std::move(handler));
  return [auth = std::move(auth), shared, admin_only](net::Request& request) {
    return run_authenticated(auth, shared, admin_only, request);
  };
}

}  // namespace

net::Handler tenant_route(std::shared_ptr<const Authenticator> auth, PrincipalHandler handler) {
  return wrap(std::move(auth), std::move(handler), false);
}

net::Handler admin_route(std::shared_ptr<const Authenticator> auth, PrincipalHandler handler) {
  return wrap(std::move(auth), std::move(handler), true);
}

}  // namespace osprey::gateway
