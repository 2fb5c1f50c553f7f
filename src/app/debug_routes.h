#pragma once
// /debug/* routes, mounted only when server.debug_endpoints is true: deterministic slow,
// streaming and store-writing requests that integration tests and benchmarks drive.
#include "app/app_context.h"
#include "net/router.h"

namespace osprey::app {

void add_debug_routes(net::Router& router, AppContext& ctx);

}  // namespace osprey::app
