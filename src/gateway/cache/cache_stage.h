#pragma once
// CacheStage: the response-cache stage of the chat pipeline. plan() decides, per request,
// whether to look up and whether to store (cache.enabled, Cache-Control no-cache / no-store,
// temperature unless cache.cache_nondeterministic) and computes the key, scoped to the caller's
// tenant unless cache.shared. lookup() turns a hit into the whole response (JSON, or an SSE
// stream that replays the original events) marked `x-osprey-cache: hit`; the route stores only
// successful, complete answers. Thread-safe; shares the ResponseCache and the metrics.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/cache/cache_config.h"
#include "gateway/cache/cache_metrics.h"
#include "gateway/cache/response_cache.h"
#include "gateway/principal.h"
#include "net/response.h"
#include "net/task.h"
#include "providers/chat_types.h"

namespace osprey::gateway {

struct CachePlan {
  bool enabled = false;  // cache.enabled: false means no x-osprey-cache header at all
  bool lookup = false;   // serve a live entry if there is one
  bool store = false;    // save the answer if it completes successfully
  std::string key;
  std::string requested_model;
  std::int64_t tenant_id = 0;

  // The x-osprey-cache value of a response that did not come from the cache ("" = no header).
  std::string_view miss_header() const {
    if (!enabled) return "";
    return lookup || store ? "miss" : "bypass";
  }
};

class CacheStage {
 public:
  CacheStage(CacheConfig config, std::shared_ptr<ResponseCache> cache, CacheMetrics& metrics);

  // `cache_control`: the request's Cache-Control header value (may be empty).
  CachePlan plan(const providers::ChatRequest& request, const Principal& principal,
                 std::string_view cache_control) const;

  // On a hit, the response to send; counts the hit or the miss.
  net::Task<std::optional<net::Response>> lookup(const CachePlan& plan);

  // Saves a complete answer. REQUIRES: plan.store.
  void store(const CachePlan& plan, CachedAnswer answer);

  const std::shared_ptr<ResponseCache>& cache() const { return cache_; }

 private:
  const CacheConfig config_;
  std::shared_ptr<ResponseCache> cache_;
  CacheMetrics& metrics_;
};

// Cache-Control directives a client may send (case-insensitive, comma-separated).
struct CacheDirectives {
  bool no_cache = false;  // skip the lookup, still store the fresh answer
  bool no_store = false;  // neither look up nor store
};
CacheDirectives parse_cache_control(std::string_view header);

}  // namespace osprey::gateway
