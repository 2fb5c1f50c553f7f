#include "jobs/jobs_config.h"

#include <functional>
#include <limits>

namespace osprey::jobs {
namespace {

// Reads an integer key in [min, max]; leaves `out` alone when the key is absent.
template <typename T>
Status read_int(const nlohmann::json& node, const std::string& path, const char* key, T& out,
                std::int64_t min, std::int64_t max) {
  auto it = node.find(key);
  if (it == node.end() || it->is_null()) return {};
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
    return config_error(path + "." + key, "must be an integer in [" + std::to_string(min) + ", " +
                                              std::to_string(max) + "]");
  }
  out = static_cast<T>(it->get<std::int64_t>());
  return {};
}

Status read_quota(const nlohmann::json& node, const std::string& path, TenantQuota& q) {
  if (!node.is_object()) return config_error(path, "must be a mapping");
  for (const auto& [key, value] : node.items()) {
    if (key != "max_running_jobs" && key != "max_items_in_flight") {
      return config_error(path + "." + key, "unknown key");
    }
  }
  constexpr std::int64_t kMax = 1'000'000;
  if (Status st = read_int(node, path, "max_running_jobs", q.max_running_jobs, 0, kMax); !st.ok()) {
    return st;
  }
  return read_int(node, path, "max_items_in_flight", q.max_items_in_flight, 0, kMax);
}

}  // namespace

Result<JobsConfig> parse_jobs_config(const nlohmann::json& sections, const std::string& data_dir) {
  JobsConfig c;
  c.results_dir = data_dir + "/jobs";
  const nlohmann::json empty = nlohmann::json::object();
  const auto jobs_it = sections.find("jobs");
  const nlohmann::json& jobs = jobs_it == sections.end() || jobs_it->is_null() ? empty : *jobs_it;
  const std::string p = "jobs";
  if (!jobs.is_object()) return config_error(p, "must be a mapping");

  using Reader = std::function<Status(const nlohmann::json&)>;
  std::int64_t lease_ms = c.lease.count(), poll_ms = c.poll_interval.count();
  std::int64_t base_ms = c.retry.base_delay.count(), max_ms = c.retry.max_delay.count();
  std::int64_t retention_s = c.retention.count(), max_items = 1'000'000;
  constexpr std::int64_t kI = std::numeric_limits<int>::max();
  const std::map<std::string, Reader> readers = {
      {"worker_threads",
       [&](auto& n) { return read_int(n, p, "worker_threads", c.worker_threads, 0, 256); }},
      {"claim_batch",
       [&](auto& n) { return read_int(n, p, "claim_batch", c.claim_batch, 1, 10000); }},
      {"lease_ms", [&](auto& n) { return read_int(n, p, "lease_ms", lease_ms, 1000, 3'600'000); }},
      {"poll_ms", [&](auto& n) { return read_int(n, p, "poll_ms", poll_ms, 10, 60'000); }},
      {"max_attempts",
       [&](auto& n) { return read_int(n, p, "max_attempts", c.max_attempts, 1, 100); }},
      {"retry_base_delay_ms",
       [&](auto& n) { return read_int(n, p, "retry_base_delay_ms", base_ms, 0, 3'600'000); }},
      {"retry_max_delay_ms",
       [&](auto& n) { return read_int(n, p, "retry_max_delay_ms", max_ms, 0, 86'400'000); }},
      {"min_free_bytes",
       [&](auto& n) {
         return read_int(n, p, "min_free_bytes", c.min_free_bytes, 0,
                         std::numeric_limits<std::int64_t>::max());
       }},
      {"retention_s",
       [&](auto& n) { return read_int(n, p, "retention_s", retention_s, 1, 10LL * 365 * 86400); }},
      {"max_items_per_job",
       [&](auto& n) { return read_int(n, p, "max_items_per_job", max_items, 1, 10'000'000); }},
      {"max_running_jobs_per_tenant",
       [&](auto& n) {
         return read_int(n, p, "max_running_jobs_per_tenant", c.default_quota.max_running_jobs, 0,
                         kI);
       }},
      {"max_items_in_flight_per_tenant",
       [&](auto& n) {
         return read_int(n, p, "max_items_in_flight_per_tenant",
                         c.default_quota.max_items_in_flight, 0, kI);
       }},
      {"results_dir",
       [&](auto& n) -> Status {
         const auto& v = n["results_dir"];
         if (v.is_null()) return {};
         if (!v.is_string() || v.template get<std::string>().empty()) {
           return config_error(p + ".results_dir", "must be a non-empty path");
         }
         c.results_dir = v.template get<std::string>();
         return {};
       }},
      {"tenants",
       [&](auto& n) -> Status {
         const auto& v = n["tenants"];
         if (v.is_null()) return {};
         if (!v.is_object())
           return config_error(p + ".tenants", "must be a mapping of tenant names");
         for (const auto& [name, q] : v.items()) {
           TenantQuota quota = c.default_quota;
           if (Status st = read_quota(q, p + ".tenants." + name, quota); !st.ok()) return st;
           c.tenant_quotas[name] = quota;
         }
         return {};
       }},
      {"resources",
       [&](auto& n) -> Status {
         const auto& v = n["resources"];
         if (v.is_null()) return {};
         if (!v.is_object())
           return config_error(p + ".resources", "must be a mapping of resource keys");
         for (const auto& [name, r] : v.items()) {
           const std::string rp = p + ".resources." + name;
           if (!r.is_object()) return config_error(rp, "must be a mapping");
           for (const auto& [key, value] : r.items()) {
             if (key != "max_concurrent") return config_error(rp + "." + key, "unknown key");
           }
           int limit = 0;
           if (Status st = read_int(r, rp, "max_concurrent", limit, 1, 1'000'000); !st.ok())
             return st;
           if (limit == 0) return config_error(rp + ".max_concurrent", "is required");
           c.resource_limits[name] = limit;
         }
         return {};
       }},
  };
  // Tenant quotas inherit the defaults, so read those first.
  for (const char* first : {"max_running_jobs_per_tenant", "max_items_in_flight_per_tenant"}) {
    if (Status st = readers.at(first)(jobs); !st.ok()) return st.error();
  }
  for (const auto& [key, value] : jobs.items()) {
    auto r = readers.find(key);
    if (r == readers.end()) return config_error(p + "." + key, "unknown key");
    if (Status st = r->second(jobs); !st.ok()) return st.error();
  }
  if (max_ms < base_ms) {
    return config_error(p + ".retry_max_delay_ms", "must be >= jobs.retry_base_delay_ms");
  }
  c.lease = std::chrono::milliseconds(lease_ms);
  c.poll_interval = std::chrono::milliseconds(poll_ms);
  c.retry.base_delay = std::chrono::milliseconds(base_ms);
  c.retry.max_delay = std::chrono::milliseconds(max_ms);
  c.retry.max_attempts = c.max_attempts;
  c.retention = std::chrono::seconds(retention_s);
  c.max_items_per_job = static_cast<std::size_t>(max_items);

  const auto wl = sections.find("workloads");
  if (wl != sections.end() && !wl->is_null()) {
    if (!wl->is_object()) return config_error("workloads", "must be a mapping");
    for (const auto& [key, value] : wl->items()) {
      if (key != "exec") return config_error("workloads." + key, "unknown workload");
    }
    if (auto ex = wl->find("exec"); ex != wl->end()) {
      auto runners = parse_exec_runners(*ex);
      if (!runners) return runners.error();
      c.exec_runners = std::move(runners.value());
    }
  }
  return c;
}

}  // namespace osprey::jobs
