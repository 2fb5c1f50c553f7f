#pragma once
// GET /v1/models: the public model names in OpenAI's list shape,
// {"object":"list","data":[{"id","object":"model","created","owned_by":"osprey"}]}.
// Thread-safe: reads the router's current table.
#include <cstdint>

#include "gateway/principal.h"
#include "net/request.h"
#include "net/response.h"
#include "net/task.h"
#include "router/model_router.h"

namespace osprey::gateway {

class ModelsRoute {
 public:
  // `created`: unix seconds reported for every model (the server's start time).
  ModelsRoute(const router::ModelRouter& router, std::int64_t created);

  // Lists only the models the caller's plan allows.
  net::Task<net::Response> handle(net::Request& request, const Principal& principal) const;

 private:
  const router::ModelRouter& router_;
  std::int64_t created_;
};

}  // namespace osprey::gateway
