#pragma once
// How /v1/jobs handlers learn who is calling: the same API-key authentication as every other
// /v1 route (gateway/auth), so a job belongs to the caller's tenant.
#include "app/app_context.h"
#include "jobs/api/jobs_routes.h"

namespace osprey::app {

// REQUIRES: ctx.authenticator is built.
Result<jobs::Authenticated> jobs_authentication(AppContext& ctx);

}  // namespace osprey::app
