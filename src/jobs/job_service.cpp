#include "jobs/job_service.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/api_key.h"
#include "core/json_parse.h"
#include "jobs/job_finalizer.h"
#include "jobs/tenant_quota.h"
#include "jobs/timestamp.h"

namespace osprey::jobs {
namespace {

Result<gateway::PriorityClass> parse_priority(const nlohmann::json& value) {
  if (value == "high") return gateway::PriorityClass::kHigh;
  if (value == "normal") return gateway::PriorityClass::kNormal;
  if (value == "low") return gateway::PriorityClass::kLow;
  return invalid_request("priority: must be \"high\", \"normal\" or \"low\"");
}

Error not_found(std::int64_t job_id) {
  return make_error(ErrorCode::kNotFound, "no job " + std::to_string(job_id));
}

}  // namespace

int priority_value(gateway::PriorityClass priority) {
  switch (priority) {
    case gateway::PriorityClass::kHigh:
      return 2;
    case gateway::PriorityClass::kNormal:
      return 1;
    case gateway::PriorityClass::kLow:
      return 0;
  }
  return 1;
}

std::string_view priority_label(int priority) {
  if (priority >= 2) return "high";
  if (priority <= 0) return "low";
  return "normal";
}

JobService::JobService(store::Store& store, const WorkloadRegistry& workloads,
                       const JobsConfig& config, JobsMetrics& metrics,
                       std::function<void()> on_new_work,
                       std::function<void(std::int64_t)> on_drained)
    : store_(store),
      workloads_(workloads),
      config_(config),
      metrics_(metrics),
      on_new_work_(std::move(on_new_work)),
      on_drained_(std::move(on_drained)) {}

Result<SubmittedJob> JobService::submit(const gateway::Principal& who, std::string_view body,
                                        std::string_view idempotency_key) {
  nlohmann::json req = parse_json(body);
  if (req.is_discarded()) return invalid_request("body: " + json_refusal(body));
  if (!req.is_object()) return invalid_request("body: must be a JSON object");
  for (const auto& [key, value] : req.items()) {
    static const char* kKnown[] = {"workload", "spec", "priority", "tags", "max_attempts"};
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return key == k; })) {
      return invalid_request(key + ": unknown field");
    }
  }
  if (!req.contains("workload") || !req["workload"].is_string()) {
    return invalid_request("workload: must be a string");
  }
  const std::string workload_name = req["workload"].get<std::string>();
  const Workload* workload = workloads_.find(workload_name);
  if (workload == nullptr)
    return invalid_request("workload: unknown workload \"" + workload_name + "\"");
  const nlohmann::json spec = req.value("spec", nlohmann::json::object());
  if (Status st = workload->validate(spec); !st.ok()) return st.error();

  store::NewJob job;
  job.tenant_id = who.tenant_id;
  job.workload = workload_name;
  job.spec_json = spec.dump();
  // A job may ask for a lower priority than its key's plan, never a higher one.
  gateway::PriorityClass priority = who.plan.priority;
  if (auto p = req.find("priority"); p != req.end()) {
    auto asked = parse_priority(*p);
    if (!asked) return asked.error();
    priority = std::max(priority, asked.value());
  }
  job.priority = priority_value(priority);
  if (auto t = req.find("tags"); t != req.end()) {
    if (!t->is_object()) return invalid_request("tags: must be an object of strings");
    for (const auto& [k, v] : t->items()) {
      if (!v.is_string()) return invalid_request("tags." + k + ": must be a string");
    }
    job.tags_json = t->dump();
  }
  job.max_attempts = config_.max_attempts;
  if (auto m = req.find("max_attempts"); m != req.end()) {
    if (!m->is_number_integer() || m->get<std::int64_t>() < 1 || m->get<std::int64_t>() > 100) {
      return invalid_request("max_attempts: must be an integer in [1, 100]");
    }
    job.max_attempts = m->get<int>();
  }
  job.resource = workload->resource_key(spec);
  if (!idempotency_key.empty()) {
    if (idempotency_key.size() > 200)
      return invalid_request("Idempotency-Key: at most 200 characters");
    job.idempotency_key = std::string(idempotency_key);
    // SHA-256 of the parsed body, so formatting differences do not count as a different body.
    job.body_hash = api_key_hash(req.dump());
  }

  const std::string driver = workload->driver_hold(spec);
  job.paused = !driver.empty();
  const TenantQuota quota = quota_for(config_, who.tenant_name);
  if (driver.empty() && quota.max_running_jobs > 0) {
    auto stats = store_.queue_stats();
    if (!stats) return stats.error();
    for (const auto& t : stats->tenants) {
      if (t.tenant_id == who.tenant_id && t.active_jobs >= quota.max_running_jobs) {
        job.paused = true;
      }
    }
  }

  auto items = workload->plan_for(spec, who);
  if (!items) return items.error();
  job.items.reserve(items->size());
  for (PlannedItem& item : items.value()) {
    job.items.push_back({std::move(item.key), item.input.dump()});
  }
  auto created = store_.create_job(job);
  if (!created) return created.error();
  if (created->created) {
    metrics_.submitted.with({workload_name}).inc();
    if (job.paused) {
      const std::string message = driver.empty()
                                      ? std::string(kQuotaHoldPrefix) + " (max_running_jobs " +
                                            std::to_string(quota.max_running_jobs) + ")"
                                      : driver + ": waiting for the driver";
      (void)store_.pause_job(created->job.id, message);
      auto reread = store_.get_job(who.tenant_id, created->job.id);
      if (reread && reread.value()) created->job = *reread.value();
    }
    // Work the engine can claim, or a job its driver takes: look now, not at the next poll.
    if ((!job.paused || !driver.empty()) && on_new_work_) on_new_work_();
  }
  return SubmittedJob{std::move(created->job), created->created};
}

Result<store::Job> JobService::owned_job(const gateway::Principal& who, std::int64_t job_id) {
  auto job = store_.get_job(who.tenant_id, job_id);
  if (!job) return job.error();
  if (!job.value()) return not_found(job_id);
  return std::move(*job.value());
}

Result<store::Job> JobService::get(const gateway::Principal& who, std::int64_t job_id) {
  return owned_job(who, job_id);
}

Result<std::vector<store::Job>> JobService::list(const gateway::Principal& who,
                                                 const JobListQuery& query) {
  store::JobFilter filter;
  filter.tenant_id = who.tenant_id;
  if (!query.state.empty()) {
    filter.state = store::parse_job_state(query.state);
    if (!filter.state) return invalid_request("state: unknown job state \"" + query.state + "\"");
  }
  filter.workload = query.workload;
  if (!query.tag.empty()) {
    const auto sep = query.tag.find_first_of("=:");
    if (sep == std::string::npos || sep == 0) return invalid_request("tag: must be key=value");
    filter.tag_key = query.tag.substr(0, sep);
    filter.tag_value = query.tag.substr(sep + 1);
  }
  if (query.limit < 1 || query.limit > 1000) return invalid_request("limit: must be in [1, 1000]");
  filter.limit = query.limit;
  filter.before_id = query.before_id;
  return store_.list_jobs(filter);
}

Result<store::Job> JobService::cancel(const gateway::Principal& who, std::int64_t job_id) {
  auto cancelled = store_.cancel_job(who.tenant_id, job_id);
  if (!cancelled) return cancelled.error();
  if (cancelled->drained && on_drained_) on_drained_(job_id);
  return std::move(cancelled->job);
}

Result<std::pair<store::Job, std::int64_t>> JobService::redrive(const gateway::Principal& who,
                                                                std::int64_t job_id) {
  auto n = store_.redrive_job(who.tenant_id, job_id);
  if (!n) return n.error();
  if (n.value() > 0 && on_new_work_) on_new_work_();
  auto job = owned_job(who, job_id);
  if (!job) return job.error();
  return std::make_pair(std::move(job.value()), n.value());
}

Result<DeadLetterPage> JobService::dead_letters(const gateway::Principal& who, std::int64_t job_id,
                                                std::int64_t after_id, int limit) {
  if (limit < 1 || limit > 10000) return invalid_request("limit: must be in [1, 10000]");
  auto job = owned_job(who, job_id);
  if (!job) return job.error();
  store::ItemFilter filter;
  filter.job_id = job_id;
  filter.state = store::ItemState::kDead;
  filter.after_id = after_id;
  filter.limit = limit + 1;
  auto items = store_.list_items(filter);
  if (!items) return items.error();
  DeadLetterPage page;
  page.has_more = items->size() > static_cast<std::size_t>(limit);
  if (page.has_more) items->resize(static_cast<std::size_t>(limit));
  page.items = std::move(items.value());
  return page;
}

Result<std::string> JobService::results_file(const gateway::Principal& who, std::int64_t job_id) {
  auto job = owned_job(who, job_id);
  if (!job) return job.error();
  const std::string dir = job_results_dir(config_.results_dir, job_id);
  std::error_code ec;
  if (!store::is_finished(job->state) ||
      !std::filesystem::exists(dir + "/" + std::string(kSuccessMarker), ec)) {
    return make_error(ErrorCode::kConflict,
                      "results are not ready: job " + std::to_string(job_id) + " is " +
                          std::string(store::job_state_name(job->state)) +
                          (job->status_message.empty() ? "" : " (" + job->status_message + ")"));
  }
  return dir + "/" + std::string(kResultsFile);
}

nlohmann::json job_view(const store::Job& job, std::chrono::system_clock::time_point now) {
  const store::JobCounts& c = job.counts;
  const std::int64_t settled = c.done + c.dead + c.cancelled;
  const double percent =
      c.total == 0 ? 100.0 : std::min(100.0, 100.0 * static_cast<double>(settled) / c.total);
  nlohmann::json eta = nullptr;
  if (!store::is_finished(job.state) && job.started_at && settled > 0 && c.pending() > 0) {
    if (auto started = parse_timestamp(*job.started_at)) {
      const double elapsed = std::chrono::duration<double>(now - *started).count();
      if (elapsed > 0) eta = std::round(static_cast<double>(c.pending()) * elapsed / settled);
    }
  }
  auto tags = parse_json(job.tags_json);
  const std::string id = std::to_string(job.id);
  nlohmann::json view = {
      {"id", job.id},
      {"object", "job"},
      {"workload", job.workload},
      {"state", std::string(store::job_state_name(job.state))},
      {"paused", job.paused},
      {"status_message", job.status_message},
      {"cancel_requested", job.cancel_requested},
      {"priority", std::string(priority_label(job.priority))},
      {"tags", tags.is_discarded() ? nlohmann::json::object() : tags},
      {"resource", job.resource},
      {"max_attempts", job.max_attempts},
      {"counts",
       {{"total", c.total},
        {"done", c.done},
        {"failed", c.failed()},
        {"dead", c.dead},
        {"running", c.running},
        {"ready", c.ready},
        {"retry_wait", c.retry_wait},
        {"paused", c.paused},
        {"cancelled", c.cancelled}}},
      {"percent", std::round(percent * 10) / 10},
      {"eta_seconds", eta},
      {"cost_micros", job.cost_micros},
      {"cost_usd", static_cast<double>(job.cost_micros) / 1e6},
      {"lease_expirations", job.lease_expirations},
      {"created_at", job.created_at},
      {"started_at", job.started_at ? nlohmann::json(*job.started_at) : nlohmann::json()},
      {"finished_at", job.finished_at ? nlohmann::json(*job.finished_at) : nlohmann::json()},
      {"results_url", "/v1/jobs/" + id + "/results"},
  };
  // A driver-run job (native provider batch) shows its driver's state: provider jobs, their
  // states and every state change.
  if (!job.driver_state.empty()) {
    nlohmann::json driver = parse_json(job.driver_state);
    if (!driver.is_discarded()) view["driver"] = std::move(driver);
  }
  return view;
}

}  // namespace osprey::jobs
