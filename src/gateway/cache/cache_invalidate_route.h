#pragma once
// POST /admin/cache/invalidate: drops cached answers. Body {"model": "<public model>",
// "tenant_id": <id>}; each field narrows the match, and {"all": true} (alone) drops every entry.
// An empty body or {} is 400, so a typo cannot flush the whole cache. Answers
// {"invalidated": N}. Admin keys only (wrapped by the auth stage's admin_route).
#include <memory>

#include "gateway/cache/response_cache.h"
#include "net/request.h"
#include "net/response.h"
#include "net/task.h"

namespace osprey::gateway {

class CacheInvalidateRoute {
 public:
  explicit CacheInvalidateRoute(std::shared_ptr<ResponseCache> cache);

  net::Task<net::Response> handle(net::Request& request) const;

 private:
  std::shared_ptr<ResponseCache> cache_;
};

}  // namespace osprey::gateway
