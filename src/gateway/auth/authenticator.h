#pragma once
// Authenticator: the first stage of every /v1 and /admin request. Reads the key from
// `Authorization: Bearer <key>` or `x-api-key: <key>`, finds it through the KeyCache (a store
// read on the worker pool only on a miss) and returns the caller's Principal, or 401
// `unauthorized` whose message starts with a stable reason (as "model_not_found: " does for 404):
//   missing_api_key: ...  no key was sent
//   invalid_api_key: ...  unknown, revoked or expired key, disabled tenant, or unusable plan
// Messages say which case it is but never echo the key. Refused keys are recorded in the audit
// log (coalesced, off the request path). Thread-safe.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "gateway/audit/audit_queue.h"
#include "gateway/auth/key_cache.h"
#include "gateway/principal.h"
#include "net/request.h"
#include "net/task.h"
#include "net/worker_pool.h"

namespace osprey::gateway {

class Authenticator {
 public:
  Authenticator(KeyCache& keys, net::WorkerPool& workers, AuditQueue& audit, const Clock& clock);

  net::Task<Result<Principal>> authenticate(const net::Request& request) const;

  // Records a refused use of an authenticated key (e.g. a tenant key on /admin/*).
  void record_forbidden(const Principal& principal, const net::Request& request,
                        std::string_view reason) const;

 private:
  void record_failure(const net::Request& request, std::string_view presented, const KeyLookup& key,
                      std::string_view reason) const;

  KeyCache& keys_;
  net::WorkerPool& workers_;
  AuditQueue& audit_;
  const Clock& clock_;
};

// The key the request presents (Bearer token first, then x-api-key), or nullopt.
std::optional<std::string_view> presented_api_key(const net::Request& request);

// The decision for a looked-up key at `now`: a Principal, or "invalid_api_key: <why>".
// `reason` (if given) receives a short machine word for the audit log ("revoked", ...).
Result<Principal> decide_key(const KeyLookup& key, std::chrono::system_clock::time_point now,
                             std::string* reason = nullptr);

// 403 forbidden ("model_not_allowed: ...") unless the principal's plan allows `model`.
Status check_model_allowed(const Principal& principal, std::string_view model);

}  // namespace osprey::gateway
