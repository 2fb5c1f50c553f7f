#include "gateway/auth/authenticator.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "core/api_key.h"
#include "core/echoed_name.h"
#include "gateway/auth/key_hash_memo.h"
#include "net/headers.h"
#include "net/http_whitespace.h"
#include "store/tenancy_input.h"

namespace osprey::gateway {
namespace {

// The remote address without the port: floods from one client coalesce across connections.
std::string remote_host(const std::string& remote_addr) {
  const auto colon = remote_addr.rfind(':');
  return colon == std::string::npos ? remote_addr : remote_addr.substr(0, colon);
}

Error invalid_key(std::string message) {
  return make_error(ErrorCode::kUnauthorized, "invalid_api_key: " + std::move(message));
}

}  // namespace

std::optional<std::string_view> presented_api_key(const net::Request& request) {
  const std::string_view authorization = net::trim_ows(request.header("authorization"));
  // The scheme is case-insensitive; the usual spelling is checked first, as one comparison.
  const std::string_view scheme = authorization.substr(0, 7);
  if (authorization.size() > 7 && (scheme == "Bearer " || net::iequals(scheme, "bearer "))) {
    std::string_view key = net::trim_ows(authorization.substr(7));
    if (!key.empty()) return key;
  }
  const std::string_view x_api_key = net::trim_ows(request.header("x-api-key"));
  if (!x_api_key.empty()) return x_api_key;
  return std::nullopt;
}

Result<Principal> decide_key(const KeyLookup& key, std::chrono::system_clock::time_point now,
                             std::string* reason) {
  auto refuse = [&](std::string_view why, std::string message) -> Result<Principal> {
    if (reason) *reason = why;
    return invalid_key(std::move(message));
  };
  if (!key) return refuse("unknown", "no such key");
  const store::ApiKeyInfo& info = key->record.key;
  if (info.revoked_at) return refuse("revoked", "the key was revoked");
  if (info.expires_at && *info.expires_at <= store::format_timestamp(now)) {
    return refuse("expired", "the key expired at " + *info.expires_at);
  }
  if (key->record.tenant.disabled) {
    return refuse("tenant_disabled", "the key's tenant is disabled");
  }
  if (!key->plan_valid) {
    return refuse("bad_plan", "the key's usage plan is invalid (" + key->plan_error +
                                  "); ask an admin to fix it");
  }
  // Built in place: no default values to construct and then overwrite.
  return Principal{.tenant_id = key->record.tenant.id,
                   .tenant_name = key->record.tenant.name,
                   .tenant_tags_json = key->record.tenant.tags_json,
                   .key_id = info.id,
                   .key_prefix = info.prefix,
                   .admin = key->admin,
                   .plan = key->plan};
}

Status check_model_allowed(const Principal& principal, std::string_view model) {
  if (principal.plan.allows_model(model)) return {};
  return make_error(ErrorCode::kForbidden, "model_not_allowed: this API key may not use model \"" +
                                               echoed_name(model) + "\"");
}

Authenticator::Authenticator(KeyCache& keys, net::WorkerPool& workers, AuditQueue& audit,
                             const Clock& clock)
    : keys_(keys), workers_(workers), audit_(audit), clock_(clock) {}

net::Task<Result<Principal>> Authenticator::authenticate(const net::Request& request) const {
  const std::optional<std::string_view> presented = presented_api_key(request);
  if (!presented) {
    co_return make_error(ErrorCode::kUnauthorized,
                         "missing_api_key: send \"Authorization: Bearer <key>\" or "
                         "\"x-api-key: <key>\"");
  }
  std::string hash;  // only needed (as a copy) when the key must be loaded
  std::optional<KeyLookup> cached;
  {
    const std::string& memoized = memoized_api_key_hash(*presented);
    cached = keys_.peek(memoized);
    if (!cached) hash = memoized;
  }
  KeyLookup key;
  if (cached) {
    key = std::move(*cached);
  } else {
    KeyCache& keys = keys_;
    auto load = [&keys, &hash] { return keys.load(hash); };
    Result<KeyLookup> loaded = co_await workers_.run(load);
    if (!loaded) {
      co_return make_error(ErrorCode::kUnavailable,
                           "cannot check the API key right now: " + loaded.error().message);
    }
    key = std::move(loaded.value());
  }
  std::string reason;
  Result<Principal> principal = decide_key(key, clock_.wall_now(), &reason);
  if (!principal) record_failure(request, *presented, key, reason);
  co_return principal;
}

void Authenticator::record_failure(const net::Request& request, std::string_view presented,
                                   const KeyLookup& key, std::string_view reason) const {
  // Only the visible prefix is kept, and only of keys in our own format: a caller that sends
  // some other secret by mistake must not find it in the audit log.
  const std::string prefix = key ? key->record.key.prefix : api_key_prefix(presented);
  const std::string host = remote_host(request.remote_addr);
  nlohmann::json detail = {{"reason", reason}, {"remote", host}, {"route", request.route}};
  store::NewAuditEntry entry{.at = store::format_timestamp(clock_.wall_now()),
                             .actor = prefix.empty() ? "anonymous" : "key:" + prefix,
                             .action = "key.auth_failed",
                             .target = key ? "key:" + std::to_string(key->record.key.id) : "",
                             .detail_json = detail.dump()};
  audit_.append_coalesced("key.auth_failed|" + std::string(reason) + "|" + prefix + "|" + host,
                          std::move(entry));
}

void Authenticator::record_forbidden(const Principal& principal, const net::Request& request,
                                     std::string_view reason) const {
  const std::string host = remote_host(request.remote_addr);
  nlohmann::json detail = {{"reason", reason}, {"remote", host}, {"route", request.route}};
  store::NewAuditEntry entry{.at = store::format_timestamp(clock_.wall_now()),
                             .actor = "key:" + principal.key_prefix,
                             .action = "key.forbidden",
                             .target = "tenant:" + principal.tenant_name,
                             .detail_json = detail.dump()};
  audit_.append_coalesced(
      "key.forbidden|" + std::string(reason) + "|" + principal.key_prefix + "|" + host,
      std::move(entry));
}

}  // namespace osprey::gateway
