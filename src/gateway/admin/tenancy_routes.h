#pragma once
// The tenancy admin API (admin keys only) and the tenant's own usage:
//   POST  /admin/tenants                   {"name","tags"}            -> 201 tenant
//   GET   /admin/tenants                                              -> list
//   GET   /admin/tenants/{tenant}          (id or name)               -> tenant
//   PATCH /admin/tenants/{tenant}          {"tags"}                   -> tenant
//   POST  /admin/tenants/{tenant}/disable                             -> tenant
//   POST  /admin/tenants/{tenant}/keys     {"name","plan","expires_at"} -> 201 key + "key" (once)
//   GET   /admin/tenants/{tenant}/keys                                -> list (no hashes)
//   POST  /admin/keys/{id}/revoke                                     -> {"id","revoked":true}
//   GET   /admin/usage?group_by=tenant|tag|model|day&from&to&tenant_id&tag
//   GET   /admin/audit?from_seq&limit
//   GET   /v1/usage?group_by=model|day|tenant|tag&from&to   (any key; only its own tenant)
// Store work runs on the worker pool. Every change appends an audit entry (TenancyAdmin).
#include <memory>

#include "gateway/auth/authenticator.h"
#include "gateway/auth/key_cache.h"
#include "net/router.h"
#include "net/worker_pool.h"
#include "store/store.h"

namespace osprey::gateway {

struct TenancyRouteDeps {
  store::Store& store;
  net::WorkerPool& workers;
  KeyCache& keys;
  std::shared_ptr<const Authenticator> auth;
};

void add_tenancy_routes(net::Router& routes, const TenancyRouteDeps& deps);

}  // namespace osprey::gateway
