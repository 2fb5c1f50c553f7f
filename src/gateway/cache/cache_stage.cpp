#include "gateway/cache/cache_stage.h"

#include <utility>

#include "gateway/cache/cache_key.h"
#include "net/event_stream.h"
#include "net/headers.h"
#include "net/http_whitespace.h"

namespace osprey::gateway {
namespace {

// Replays a stored stream: the same data payloads in the same order, in one write with the end
// of the response (all of them are at hand).
net::Task<void> replay(std::shared_ptr<const CachedAnswer> answer, net::EventStream& out) {
  const std::span<const std::string> events = answer->events;
  co_await out.send_last(events);
}

}  // namespace

CacheDirectives parse_cache_control(std::string_view header) {
  CacheDirectives d;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view token = net::trim_ows(header.substr(0, comma));
    // A directive may carry an argument (no-cache="field"); the name decides.
    token = net::trim_ows(token.substr(0, token.find('=')));
    if (net::iequals(token, "no-cache")) d.no_cache = true;
    if (net::iequals(token, "no-store")) d.no_store = true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return d;
}

CacheStage::CacheStage(CacheConfig config, std::shared_ptr<ResponseCache> cache,
                       CacheMetrics& metrics)
    : config_(config), cache_(std::move(cache)), metrics_(metrics) {}

CachePlan CacheStage::plan(const providers::ChatRequest& request, const Principal& principal,
                           std::string_view cache_control) const {
  CachePlan plan;
  if (!config_.enabled) return plan;
  plan.enabled = true;
  const CacheDirectives directives = parse_cache_control(cache_control);
  if (directives.no_store || (!config_.cache_nondeterministic && !is_deterministic(request))) {
    metrics_.bypasses.inc();
    return plan;
  }
  plan.lookup = !directives.no_cache;
  plan.store = true;
  plan.requested_model = request.model;
  plan.tenant_id = principal.tenant_id;
  const std::string scope =
      config_.shared ? std::string("shared") : "tenant:" + std::to_string(principal.tenant_id);
  plan.key = cache_key(request, scope);
  return plan;
}

net::Task<std::optional<net::Response>> CacheStage::lookup(const CachePlan& plan) {
  if (!plan.lookup) {
    if (plan.store) metrics_.misses.inc();  // no-cache: a forced miss
    co_return std::nullopt;
  }
  std::string key = plan.key;
  std::shared_ptr<const CachedAnswer> answer = co_await cache_->lookup(std::move(key));
  if (!answer) {
    metrics_.misses.inc();
    co_return std::nullopt;
  }
  metrics_.hits.inc();
  net::Response response =
      answer->stream ? net::Response::sse([answer](net::EventStream& out) -> net::Task<void> {
        std::shared_ptr<const CachedAnswer> keep = answer;  // in the frame, not the lambda
        co_await replay(keep, out);
      })
                     : net::Response::json(200, answer->body);
  response.head_with_first_events = answer->stream;  // the whole replay is at hand
  response.headers.set("x-osprey-cache", "hit");
  response.headers.set("x-osprey-deployment", answer->deployment);
  if (answer->model != plan.requested_model) response.headers.set("x-osprey-model", answer->model);
  co_return response;
}

void CacheStage::store(const CachePlan& plan, CachedAnswer answer) {
  answer.requested_model = plan.requested_model;
  answer.tenant_id = plan.tenant_id;
  metrics_.stores.inc();
  cache_->store(plan.key, std::move(answer));
}

}  // namespace osprey::gateway
