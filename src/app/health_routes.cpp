#include "app/health_routes.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/build_info.h"
#include "core/process_stats.h"

namespace osprey::app {
namespace {

using nlohmann::json;

// One dependency probe for /readyz, run on the worker pool (store calls block).
net::Task<json> probe_store(AppContext& ctx) {
  const auto start = std::chrono::steady_clock::now();
  Status st = co_await ctx.workers->run([&ctx] { return ctx.store->ping(); });
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  json probe = {{"name", "store"},
                {"backend", std::string(ctx.store->backend())},
                {"state", st.ok() ? "up" : "down"},
                {"latency_ms", ms}};
  if (!st.ok()) probe["error"] = st.error().message;
  co_return probe;
}

}  // namespace

void add_health_routes(net::Router& router, AppContext& ctx) {
  router.get("/healthz", [](net::Request&) -> net::Task<net::Response> {
    co_return net::Response::json(200, R"({"status":"ok"})");
  });

  router.get("/readyz", [&ctx](net::Request&) -> net::Task<net::Response> {
    json store = co_await probe_store(ctx);
    const bool draining = ctx.draining.load();
    const bool ready = !draining && store["state"] == "up";
    json body = {{"status", ready ? "ready" : "not_ready"},
                 {"draining", draining},
                 {"dependencies", json::array({store})}};
    co_return net::Response::json(ready ? 200 : 503, body.dump());
  });

  router.get("/version", [](net::Request&) -> net::Task<net::Response> {
    json body = {{"name", "osprey"},
                 {"version", std::string(osprey::version())},
                 {"commit", std::string(osprey::git_commit())}};
    co_return net::Response::json(200, body.dump());
  });

  router.get("/metrics", [&ctx](net::Request&) -> net::Task<net::Response> {
    co_return net::Response::text(200, ctx.metrics.render(),
                                  "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace osprey::app
