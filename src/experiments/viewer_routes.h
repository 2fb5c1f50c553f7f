#pragma once
// GET /viewer/ (and its viewer.js, viewer.css): the maze experiment viewer, a static page that
// holds no data itself. It asks for an API key and calls the authenticated /v1/experiments API
// with it, so the routes serving the page need no authentication.
#include "net/router.h"

namespace osprey::experiments {

void add_viewer_routes(net::Router& router);

}  // namespace osprey::experiments
