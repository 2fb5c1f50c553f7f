#pragma once
// Built-in operational routes: /healthz (alive), /readyz (dependencies up and not draining),
// /version, /metrics (Prometheus text).
#include "app/app_context.h"
#include "net/router.h"

namespace osprey::app {

void add_health_routes(net::Router& router, AppContext& ctx);

}  // namespace osprey::app
