#pragma once
// The admin tenant and the first admin key. On the first start of a store, exactly one process
// (guarded by a store setting, so concurrent replicas agree) creates tenant "admin" and one key
// for it; the key is returned to be shown once and never stored or logged. Every key of the
// admin tenant is an admin key (more can be made with `osprey keys create --tenant admin`).
// Blocking: run before the server starts or on a worker thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace osprey::gateway {

inline constexpr std::string_view kAdminTenantName = "admin";
// Setting written once by the bootstrap winner before it creates anything.
inline constexpr std::string_view kAdminBootstrapSetting = "auth.admin_bootstrap";
// Setting holding the admin tenant's id (decimal).
inline constexpr std::string_view kAdminTenantSetting = "auth.admin_tenant_id";

struct AdminBootstrap {
  std::optional<std::string> new_key;  // set only in the one process that created the key
  std::string prefix;
};

// Creates the admin tenant and key if no process ever did. `now` is the time written into the
// guard setting.
Result<AdminBootstrap> bootstrap_admin(store::Store& store, std::string_view now);

// The admin tenant's id, or nullopt while the bootstrap has not written it yet.
Result<std::optional<std::int64_t>> read_admin_tenant_id(store::Store& store);

}  // namespace osprey::gateway
