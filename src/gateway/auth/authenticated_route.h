#pragma once
// Route wrappers that put the Authenticator in front of a handler, so a handler can only be
// reached with a valid key and receives the caller as `const Principal&`:
//   tenant_route: any valid key (used for /v1/*)
//   admin_route:  a key of the admin tenant; any other valid key gets 403 forbidden (/admin/*)
// 401 answers carry `WWW-Authenticate: Bearer`.
#include <functional>
#include <memory>

#include "gateway/auth/authenticator.h"
#include "gateway/principal.h"
#include "net/request.h"
#include "net/response.h"
#include "net/router.h"
#include "net/task.h"

namespace osprey::gateway {

using PrincipalHandler = std::function<net::Task<net::Response>(net::Request&, const Principal&)>;

net::Handler tenant_route(std::shared_ptr<const Authenticator> auth, PrincipalHandler handler);
net::Handler admin_route(std::shared_ptr<const Authenticator> auth, PrincipalHandler handler);

}  // namespace osprey::gateway
