#include "app/debug_routes.h"

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "net/event_stream.h"
#include "net/sleep.h"

namespace osprey::app {
namespace {

using nlohmann::json;

// Reads an integer query parameter within [lo, hi]; `fallback` when absent.
Result<long> int_param(const net::Request& req, std::string_view name, long fallback, long lo,
                       long hi) {
  auto raw = req.query_param(name);
  if (!raw) return fallback;
  long v = 0;
  auto [p, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || p != raw->data() + raw->size() || v < lo || v > hi) {
    return make_error(ErrorCode::kInvalidRequest,
                      std::string(name) + ": must be an integer between " + std::to_string(lo) +
                          " and " + std::to_string(hi));
  }
  return v;
}

}  // namespace

void add_debug_routes(net::Router& router, AppContext& ctx) {
  // GET /debug/sleep?ms=N: answers after N ms (a slow upstream stand-in).
  router.get("/debug/sleep", [](net::Request& req) -> net::Task<net::Response> {
    auto ms = int_param(req, "ms", 100, 0, 600'000);
    if (!ms) co_return net::Response::error(ms.error(), req.request_id);
    co_await net::sleep_for(std::chrono::milliseconds(*ms));
    co_return net::Response::json(200, json{{"slept_ms", *ms}}.dump());
  });

  // GET /debug/sse?events=N&interval_ms=M: an event stream of N numbered events.
  router.get("/debug/sse", [](net::Request& req) -> net::Task<net::Response> {
    auto events = int_param(req, "events", 10, 1, 1'000'000);
    auto interval = int_param(req, "interval_ms", 100, 0, 60'000);
    if (!events) co_return net::Response::error(events.error(), req.request_id);
    if (!interval) co_return net::Response::error(interval.error(), req.request_id);
    const long n = *events;
    const long gap = *interval;
    co_return net::Response::sse([n, gap](net::EventStream& out) -> net::Task<void> {
      // No literals or braced JSON inside co_await arguments: GCC 12 miscompiles them (ICE).
      const std::string_view tick = "tick", done = "done", empty = "{}";
      for (long i = 0; i < n; ++i) {
        const std::string payload = "{\"seq\":" + std::to_string(i) + "}";
        if (!co_await out.send(payload, tick)) co_return;
        if (out.closing()) co_return;
        if (i + 1 < n && !co_await out.sleep(std::chrono::milliseconds(gap))) co_return;
      }
      co_await out.send(empty, done);
    });
  });

  // POST /debug/store/fill?count=N: N settings writes, each its own transaction, in key order.
  router.post("/debug/store/fill", [&ctx](net::Request& req) -> net::Task<net::Response> {
    auto count = int_param(req, "count", 100, 1, 10'000'000);
    if (!count) co_return net::Response::error(count.error(), req.request_id);
    const long n = *count;
    Result<long> written = co_await ctx.workers->run([&ctx, n]() -> Result<long> {
      char key[32];
      for (long i = 0; i < n; ++i) {
        std::snprintf(key, sizeof key, "debug.fill.%010ld", i);
        Status st = ctx.store->put_setting(key, std::to_string(i));
        if (!st.ok()) return st.error();
      }
      return n;
    });
    if (!written) co_return net::Response::error(written.error(), req.request_id);
    co_return net::Response::json(200, json{{"written", *written}}.dump());
  });
}

}  // namespace osprey::app
