#pragma once
// How /v1/jobs handlers learn who is calling. Until API-key authentication is wired into the
// server, every jobs request acts as the tenant "default" (created on first start); the wrapper
// is the one place to swap for the auth stage.
#include "app/app_context.h"
#include "jobs/api/jobs_routes.h"

namespace osprey::app {

// Blocking (store calls): run before the server starts.
Result<jobs::Authenticated> jobs_authentication(AppContext& ctx);

}  // namespace osprey::app
