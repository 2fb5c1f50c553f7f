#include "experiments/viewer_routes.h"

#include <string>

#include "experiments/viewer_assets.h"

namespace osprey::experiments {
namespace {

// Everything comes from this origin; no inline script, so an injected string cannot run.
constexpr std::string_view kPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'";

net::Response asset(std::string_view name, std::string_view content_type) {
  net::Response response = net::Response::text(200, std::string(viewer_asset(name)), content_type);
  response.headers.set("content-security-policy", kPolicy);
  response.headers.set("x-content-type-options", "nosniff");
  response.headers.set("cache-control", "no-cache");
  return response;
}

}  // namespace

void add_viewer_routes(net::Router& router) {
  router.get("/viewer", [](net::Request&) -> net::Task<net::Response> {
    net::Response response = net::Response::text(308, "");
    response.headers.set("location", "/viewer/");
    co_return response;
  });
  router.get("/viewer/", [](net::Request&) -> net::Task<net::Response> {
    co_return asset("index.html", "text/html; charset=utf-8");
  });
  router.get("/viewer/viewer.js", [](net::Request&) -> net::Task<net::Response> {
    co_return asset("viewer.js", "text/javascript; charset=utf-8");
  });
  router.get("/viewer/viewer.css", [](net::Request&) -> net::Task<net::Response> {
    co_return asset("viewer.css", "text/css; charset=utf-8");
  });
}

}  // namespace osprey::experiments
