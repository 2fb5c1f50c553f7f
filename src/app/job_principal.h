#pragma once
// job_principal: who a job's model calls are charged to. A job belongs to a tenant and may name
// the key it was submitted with; the gateway stages (budget, rate limits, model allow-list) need
// a Principal like an online request's. With a key: that key's plan. Without one (key_id 0):
// a plan carrying only the tenant's budget, taken as the strictest monthly budget among the
// tenant's unrevoked keys, so a job can never spend past a budget any of its keys has.
// BLOCKS on the store.
#include <chrono>
#include <cstdint>

#include "core/result.h"
#include "gateway/principal.h"
#include "store/store.h"

namespace osprey::app {

// kForbidden for an unknown or disabled tenant, or a key that is unknown, revoked, expired at
// `now` (as the online authenticator decides) or not the tenant's; kStoreError when the store
// fails.
Result<gateway::Principal> job_principal(store::Store& store, std::int64_t tenant_id,
                                         std::int64_t key_id,
                                         std::chrono::system_clock::time_point now);

}  // namespace osprey::app
