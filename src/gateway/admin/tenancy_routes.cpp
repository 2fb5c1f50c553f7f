#include "gateway/admin/tenancy_routes.h"

#include <charconv>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "gateway/admin/admin_json.h"
#include "gateway/admin/tenancy_admin.h"
#include "gateway/auth/authenticated_route.h"

namespace osprey::gateway {
namespace {

using json = nlohmann::json;
// Work for the worker pool: builds the whole response from the store.
using StoreWork = std::function<net::Response()>;

constexpr int kMaxAuditPage = 1000;

net::Response error(ErrorCode code, std::string message, const std::string& request_id) {
  return net::Response::error({code, std::move(message)}, request_id);
}

net::Task<net::Response> on_worker(net::WorkerPool& workers, StoreWork work) {
  net::Response response = co_await workers.run(std::move(work));
  co_return response;
}

std::string actor_of(const Principal& principal) { return "key:" + principal.key_prefix; }

// The body as a JSON object (an empty body is {}), or the 400 to send.
Result<json> body_object(const net::Request& request) {
  if (request.body.empty()) return json::object();
  json body = parse_json(request.body);
  if (body.is_discarded()) {
    return make_error(ErrorCode::kInvalidRequest, "the body is " + json_refusal(request.body));
  }
  if (!body.is_object()) {
    return make_error(ErrorCode::kInvalidRequest, "the body must be a JSON object");
  }
  return body;
}

Result<std::string> optional_string(const json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return std::string();
  if (!body[field].is_string()) {
    return make_error(ErrorCode::kInvalidRequest, std::string(field) + ": must be a string");
  }
  return body[field].get<std::string>();
}

Result<std::string> tags_text(const json& body) {
  if (!body.contains("tags") || body["tags"].is_null()) return std::string("{}");
  if (!body["tags"].is_object()) {
    return make_error(ErrorCode::kInvalidRequest, "tags: must be an object of strings");
  }
  return body["tags"].dump();
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

net::Response json_response(int status, const json& body) {
  return net::Response::json(status, body.dump());
}

// --- usage, shared by /admin/usage and /v1/usage.
struct UsageQuery {
  store::UsageFilter filter;
  store::UsageGroupBy group_by = store::UsageGroupBy::kTenant;
  std::string group_by_name;
};

Result<UsageQuery> parse_usage_query(const net::Request& request, std::string_view default_group) {
  UsageQuery q;
  q.group_by_name = request.query_param("group_by").value_or(std::string(default_group));
  if (q.group_by_name == "tenant") {
    q.group_by = store::UsageGroupBy::kTenant;
  } else if (q.group_by_name == "tag") {
    q.group_by = store::UsageGroupBy::kTag;
  } else if (q.group_by_name == "model") {
    q.group_by = store::UsageGroupBy::kModel;
  } else if (q.group_by_name == "day") {
    q.group_by = store::UsageGroupBy::kDay;
  } else {
    return make_error(
        ErrorCode::kInvalidRequest,
        "group_by: must be tenant, tag, model or day (got \"" + q.group_by_name + "\")");
  }
  q.filter.from_day = request.query_param("from").value_or("");
  q.filter.to_day = request.query_param("to").value_or("");
  q.filter.tag_key = request.query_param("tag").value_or("");
  if (q.group_by == store::UsageGroupBy::kTag && q.filter.tag_key.empty()) {
    return make_error(ErrorCode::kInvalidRequest,
                      "tag: required with group_by=tag (e.g. tag=team)");
  }
  if (std::optional<std::string> tenant = request.query_param("tenant_id")) {
    std::optional<std::int64_t> id = parse_id(*tenant);
    if (!id) return make_error(ErrorCode::kInvalidRequest, "tenant_id: must be a tenant id");
    q.filter.tenant_id = *id;
  }
  return q;
}

net::Response usage_response(store::Store& store, const UsageQuery& q,
                             const std::string& request_id) {
  Result<std::vector<store::UsageAggregate>> groups = store.aggregate_usage(q.filter, q.group_by);
  if (!groups) return net::Response::error(groups.error(), request_id);
  json data = json::array();
  for (const store::UsageAggregate& g : *groups) data.push_back(usage_json(g));
  json body = list_json(std::move(data));
  body["group_by"] = q.group_by_name;
  if (q.filter.tenant_id) body["tenant_id"] = *q.filter.tenant_id;
  return json_response(200, body);
}

class TenancyRoutes {
 public:
  explicit TenancyRoutes(const TenancyRouteDeps& deps)
      : store_(deps.store), workers_(deps.workers), admin_(deps.store, &deps.keys) {}

  net::Task<net::Response> create_tenant(net::Request& request, const Principal& principal) {
    Result<json> body = body_object(request);
    if (!body) co_return net::Response::error(body.error(), request.request_id);
    Result<std::string> name_in = optional_string(*body, "name");
    Result<std::string> tags_in = tags_text(*body);
    if (!name_in) co_return net::Response::error(name_in.error(), request.request_id);
    if (!tags_in) co_return net::Response::error(tags_in.error(), request.request_id);
    StoreWork work = [this, actor = actor_of(principal), name = *name_in, tags = *tags_in,
                      id = request.request_id] {
      Result<store::Tenant> tenant = admin_.create_tenant(actor, name, tags);
      if (!tenant) return net::Response::error(tenant.error(), id);
      return json_response(201, tenant_json(*tenant));
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> list_tenants(net::Request& request, const Principal&) {
    StoreWork work = [this, id = request.request_id] {
      Result<std::vector<store::Tenant>> tenants = store_.list_tenants();
      if (!tenants) return net::Response::error(tenants.error(), id);
      json data = json::array();
      for (const store::Tenant& t : *tenants) data.push_back(tenant_json(t));
      return json_response(200, list_json(std::move(data)));
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> get_tenant(net::Request& request, const Principal&) {
    StoreWork work = [this, ref = std::string(request.param("tenant")), id = request.request_id] {
      Result<store::Tenant> tenant = admin_.find_tenant(ref);
      if (!tenant) return net::Response::error(tenant.error(), id);
      return json_response(200, tenant_json(*tenant));
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> update_tenant(net::Request& request, const Principal& principal) {
    Result<json> body = body_object(request);
    if (!body) co_return net::Response::error(body.error(), request.request_id);
    for (const auto& [field, value] : body->items()) {
      if (field != "tags") {
        co_return error(ErrorCode::kInvalidRequest, field + ": cannot be changed (only tags can)",
                        request.request_id);
      }
    }
    Result<std::string> tags_in = tags_text(*body);
    if (!tags_in) co_return net::Response::error(tags_in.error(), request.request_id);
    StoreWork work = [this, actor = actor_of(principal), ref = std::string(request.param("tenant")),
                      tags = *tags_in, id = request.request_id] {
      Result<store::Tenant> tenant = admin_.find_tenant(ref);
      if (tenant) tenant = admin_.update_tenant_tags(actor, tenant->id, tags);
      if (!tenant) return net::Response::error(tenant.error(), id);
      return json_response(200, tenant_json(*tenant));
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> disable_tenant(net::Request& request, const Principal& principal) {
    StoreWork work = [this, actor = actor_of(principal), ref = std::string(request.param("tenant")),
                      id = request.request_id] {
      Result<store::Tenant> tenant = admin_.find_tenant(ref);
      if (tenant) tenant = admin_.disable_tenant(actor, tenant->id);
      if (!tenant) return net::Response::error(tenant.error(), id);
      return json_response(200, tenant_json(*tenant));
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> create_key(net::Request& request, const Principal& principal) {
    Result<json> body = body_object(request);
    if (!body) co_return net::Response::error(body.error(), request.request_id);
    Result<std::string> name_in = optional_string(*body, "name");
    Result<std::string> expires = optional_string(*body, "expires_at");
    if (!name_in) co_return net::Response::error(name_in.error(), request.request_id);
    if (!expires) co_return net::Response::error(expires.error(), request.request_id);
    std::string plan = "{}";
    if (body->contains("plan") && !(*body)["plan"].is_null()) plan = (*body)["plan"].dump();
    std::optional<std::string> expires_at;
    if (!expires->empty()) expires_at = *expires;
    StoreWork work = [this, actor = actor_of(principal), ref = std::string(request.param("tenant")),
                      name = *name_in, plan, expires_at, id = request.request_id] {
      Result<store::Tenant> tenant = admin_.find_tenant(ref);
      if (!tenant) return net::Response::error(tenant.error(), id);
      Result<CreatedApiKey> created = admin_.create_key(actor, tenant->id, name, plan, expires_at);
      if (!created) return net::Response::error(created.error(), id);
      json out = key_json(created->info);
      out["key"] = created->key;  // the only time anybody sees it
      return json_response(201, out);
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> list_keys(net::Request& request, const Principal&) {
    StoreWork work = [this, ref = std::string(request.param("tenant")), id = request.request_id] {
      Result<store::Tenant> tenant = admin_.find_tenant(ref);
      if (!tenant) return net::Response::error(tenant.error(), id);
      Result<std::vector<store::ApiKeyInfo>> keys = store_.list_api_keys(tenant->id);
      if (!keys) return net::Response::error(keys.error(), id);
      json data = json::array();
      for (const store::ApiKeyInfo& k : *keys) data.push_back(key_json(k));
      return json_response(200, list_json(std::move(data)));
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> revoke_key(net::Request& request, const Principal& principal) {
    std::optional<std::int64_t> parsed = parse_id(request.param("id"));
    if (!parsed) co_return error(ErrorCode::kNotFound, "no key with that id", request.request_id);
    StoreWork work = [this, actor = actor_of(principal), key_id = *parsed,
                      id = request.request_id] {
      if (Status st = admin_.revoke_key(actor, key_id); !st.ok()) {
        return net::Response::error(st.error(), id);
      }
      return json_response(200, {{"id", key_id}, {"revoked", true}});
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> admin_usage(net::Request& request, const Principal&) {
    Result<UsageQuery> q = parse_usage_query(request, "tenant");
    if (!q) co_return net::Response::error(q.error(), request.request_id);
    StoreWork work = [this, query = *q, id = request.request_id] {
      return usage_response(store_, query, id);
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  // A tenant sees its own usage only: another tenant's id is refused, never silently replaced.
  net::Task<net::Response> tenant_usage(net::Request& request, const Principal& principal) {
    Result<UsageQuery> q = parse_usage_query(request, "model");
    if (!q) co_return net::Response::error(q.error(), request.request_id);
    if (q->filter.tenant_id && *q->filter.tenant_id != principal.tenant_id) {
      co_return error(ErrorCode::kForbidden, "a key can only read its own tenant's usage",
                      request.request_id);
    }
    q->filter.tenant_id = principal.tenant_id;
    StoreWork work = [this, query = *q, id = request.request_id] {
      return usage_response(store_, query, id);
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

  net::Task<net::Response> audit(net::Request& request, const Principal&) {
    std::int64_t from = 1;
    int limit = 100;
    if (auto text = request.query_param("from_seq")) {
      std::optional<std::int64_t> v = parse_id(*text);
      if (!v)
        co_return error(ErrorCode::kInvalidRequest, "from_seq: must be >= 1", request.request_id);
      from = *v;
    }
    if (auto text = request.query_param("limit")) {
      std::optional<std::int64_t> v = parse_id(*text);
      if (!v || *v > kMaxAuditPage) {
        co_return error(ErrorCode::kInvalidRequest, "limit: must be 1..1000", request.request_id);
      }
      limit = static_cast<int>(*v);
    }
    StoreWork work = [this, from, limit, id = request.request_id] {
      Result<std::vector<AuditEntry>> entries = store_.list_audit(from, limit);
      if (!entries) return net::Response::error(entries.error(), id);
      json data = json::array();
      for (const AuditEntry& e : *entries) data.push_back(audit_json(e));
      json body = list_json(std::move(data));
      body["next_seq"] = entries->empty() ? from : entries->back().seq + 1;
      return json_response(200, body);
    };
    co_return co_await on_worker(workers_, std::move(work));
  }

 private:
  store::Store& store_;
  net::WorkerPool& workers_;
  TenancyAdmin admin_;
};

using Method = net::Task<net::Response> (TenancyRoutes::*)(net::Request&, const Principal&);

PrincipalHandler bind_route(std::shared_ptr<TenancyRoutes> routes, Method method) {
  return [routes, method](net::Request& request, const Principal& principal) {
    return ((*routes).*method)(request, principal);
  };
}

}  // namespace

void add_tenancy_routes(net::Router& routes, const TenancyRouteDeps& deps) {
  auto r = std::make_shared<TenancyRoutes>(deps);
  auto admin = [&](std::string_view method, std::string_view pattern, Method m) {
    routes.add(method, pattern, admin_route(deps.auth, bind_route(r, m)));
  };
  admin("POST", "/admin/tenants", &TenancyRoutes::create_tenant);
  admin("GET", "/admin/tenants", &TenancyRoutes::list_tenants);
  admin("GET", "/admin/tenants/{tenant}", &TenancyRoutes::get_tenant);
  admin("PATCH", "/admin/tenants/{tenant}", &TenancyRoutes::update_tenant);
  admin("POST", "/admin/tenants/{tenant}/disable", &TenancyRoutes::disable_tenant);
  admin("POST", "/admin/tenants/{tenant}/keys", &TenancyRoutes::create_key);
  admin("GET", "/admin/tenants/{tenant}/keys", &TenancyRoutes::list_keys);
  admin("POST", "/admin/keys/{id}/revoke", &TenancyRoutes::revoke_key);
  admin("GET", "/admin/usage", &TenancyRoutes::admin_usage);
  admin("GET", "/admin/audit", &TenancyRoutes::audit);
  routes.get("/v1/usage", tenant_route(deps.auth, bind_route(r, &TenancyRoutes::tenant_usage)));
}

}  // namespace osprey::gateway
