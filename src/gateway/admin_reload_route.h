#pragma once
// POST /admin/reload: re-reads the configuration file and environment and installs the new model
// table (the same as SIGHUP). 200 {"status":"reloaded","models":N}; an invalid table is 400
// invalid_request with the message naming the key, and the old table keeps serving.
// The reload reads files, so it runs on the worker pool, never on an I/O thread. Admin only;
// the audit entry names the caller's key prefix.
#include "gateway/principal.h"
#include "gateway/router_reloader.h"
#include "net/request.h"
#include "net/response.h"
#include "net/task.h"
#include "net/worker_pool.h"

namespace osprey::gateway {

class AdminReloadRoute {
 public:
  AdminReloadRoute(RouterReloader& reloader, net::WorkerPool& workers);

  net::Task<net::Response> handle(net::Request& request, const Principal& principal) const;

 private:
  RouterReloader& reloader_;
  net::WorkerPool& workers_;
};

}  // namespace osprey::gateway
