#include "jobs/engine.h"

#include <algorithm>

#include "core/json_parse.h"
#include "core/log.h"
#include "core/thread_role.h"
#include "jobs/retry_decision.h"
#include "jobs/tenant_quota.h"
#include "jobs/timestamp.h"
#include "jobs/worker_id.h"
#include "store/tenancy_input.h"

namespace osprey::jobs {
namespace {

using namespace std::chrono_literals;

std::string_view transition_name(Transition t) {
  switch (t) {
    case Transition::kDone:
      return "done";
    case Transition::kRetry:
      return "retry";
    case Transition::kDefer:
      return "deferred";
    case Transition::kDead:
      return "dead";
  }
  return "unknown";
}

}  // namespace

Engine::Engine(store::Store& store, const WorkloadRegistry& workloads, const JobsConfig& config,
               JobsMetrics& metrics)
    : store_(store),
      workloads_(workloads),
      config_(config),
      metrics_(metrics),
      worker_id_(process_worker_id()),
      limits_(config.resource_limits) {}

Engine::~Engine() { stop(); }

Status Engine::start(bool run_items) {
  auto listener = store_.listen(store::Store::kJobsChannel);
  if (!listener) return listener.error();
  listener_ = std::move(listener.value());
  const int workers = run_items ? config_.worker_threads : 0;
  // Enough claimed items to keep every worker busy while the next batch is fetched.
  // Two batches: one being run while the next is claimed. Claiming waits until a whole batch
  // (or half of one) fits, so the store sees few large claims rather than many tiny ones.
  capacity_ = workers + 2 * config_.claim_batch;
  min_claim_ = std::max(1, std::min(config_.claim_batch / 2, capacity_));
  maintenance_ = std::thread([this] {
    set_current_thread_role("osprey-jobs-maint");
    maintenance_loop();
  });
  if (workers > 0) {
    settler_ = std::thread([this] {
      set_current_thread_role("osprey-jobs-settle");
      settle_loop();
    });
    workers_.emplace_back([this] {
      set_current_thread_role("osprey-jobs-sched");
      schedule_loop();
    });
    for (int i = 0; i < workers; ++i) {
      workers_.emplace_back([this] {
        set_current_thread_role("osprey-jobs");
        worker_loop();
      });
    }
  }
  log::info("jobs_engine_started", {{"worker_id", worker_id_},
                                    {"worker_threads", workers},
                                    {"claim_batch", config_.claim_batch}});
  return {};
}

void Engine::request_stop() {
  stopping_ = true;
  if (listener_) listener_->wake();
  queue_cv_.notify_all();
  space_cv_.notify_all();
  maint_cv_.notify_all();
}

void Engine::stop() {
  if (stopped_.exchange(true)) return;
  request_stop();
  // Order matters: runners finish their items (queued ones are handed back), then the settler
  // records everything they produced, then maintenance stops.
  for (auto& t : workers_) t.join();
  workers_.clear();
  settler_stopping_ = true;
  settle_cv_.notify_all();
  if (settler_.joinable()) settler_.join();
  maint_cv_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  log::info("jobs_engine_stopped", {{"worker_id", worker_id_}});
}

void Engine::wake() {
  wake_requested_ = true;
  if (listener_) listener_->wake();
}

void Engine::finalize_soon(std::int64_t job_id) {
  {
    std::lock_guard lock(maint_mu_);
    drained_.insert(job_id);
  }
  maint_cv_.notify_one();
}

// --- Scheduler: claims while there is room, sleeps on the listener when there is no work.

void Engine::schedule_loop() {
  while (!stopping_) {
    {
      std::unique_lock lock(queue_mu_);
      space_cv_.wait_for(lock, config_.poll_interval,
                         [this] { return stopping_ || capacity_ - limits_.total() >= min_claim_; });
    }
    if (stopping_) break;
    if (capacity_ - limits_.total() < min_claim_) continue;
    const int claimed = claim_once();
    if (claimed < 0) {  // store error: back off a little
      std::this_thread::sleep_for(config_.poll_interval);
      continue;
    }
    if (claimed > 0 || wake_requested_.exchange(false)) continue;
    (void)listener_->wait_for_notify(config_.poll_interval);
  }
}

std::map<std::int64_t, int> Engine::tenant_item_limits() {
  std::map<std::int64_t, int> out;
  std::lock_guard lock(maint_mu_);
  for (const auto& [name, quota] : config_.tenant_quotas) {
    auto id = tenant_ids_.find(name);
    if (id != tenant_ids_.end() && quota.max_items_in_flight > 0) {
      out[id->second] = quota.max_items_in_flight;
    }
  }
  return out;
}

int Engine::claim_once() {
  store::ClaimRequest request;
  request.worker_id = worker_id_;
  request.max_items = std::min(config_.claim_batch, capacity_ - limits_.total());
  if (request.max_items <= 0) return 0;
  request.lease = config_.lease;
  for (auto& [resource, cap] : limits_.resource_caps()) {
    request.resource_caps.push_back({resource, cap});
  }
  std::map<std::int64_t, int> tenant_limits = tenant_item_limits();
  if (config_.default_quota.max_items_in_flight > 0) {
    // Tenants without their own quota get the default; the store limits only listed tenants,
    // so list every tenant that has work (from the last queue snapshot).
    std::lock_guard lock(maint_mu_);
    for (std::int64_t id : active_tenants_) {
      tenant_limits.emplace(id, config_.default_quota.max_items_in_flight);
    }
  }
  for (auto& [tenant, cap] : limits_.tenant_caps(tenant_limits)) {
    request.tenant_caps.push_back({tenant, cap});
  }
  auto claimed = store_.claim_items(request);
  if (!claimed) {
    log::warn("jobs_claim_failed", {{"error", claimed.error().message}});
    return -1;
  }
  if (claimed->empty()) return 0;
  std::vector<Running> batch;
  batch.reserve(claimed->size());
  for (store::ClaimedItem& item : claimed.value()) {
    limits_.add(item.tenant_id, item.resource);
    if (!item.resource.empty()) metrics_.resource_in_use.with({item.resource}).inc();
    std::shared_ptr<const nlohmann::json> spec = spec_of(item.job_id);
    {
      std::lock_guard lock(settle_mu_);
      held_[item.lease.item_id] = item.lease;
    }
    batch.push_back({std::move(item), std::move(spec)});
  }
  metrics_.in_flight.set(limits_.total());
  const int n = static_cast<int>(batch.size());
  {
    std::lock_guard lock(queue_mu_);
    for (auto& r : batch) queue_.push_back(std::move(r));
  }
  queue_cv_.notify_all();
  return n;
}

std::shared_ptr<const nlohmann::json> Engine::spec_of(std::int64_t job_id) {
  {
    std::lock_guard lock(spec_mu_);
    if (auto it = specs_.find(job_id); it != specs_.end()) return it->second;
  }
  auto spec = std::make_shared<nlohmann::json>(nlohmann::json::object());
  auto job = store_.get_job(std::nullopt, job_id);
  if (job && job.value()) {
    *spec = parse_json(job.value()->spec_json);
    if (spec->is_discarded()) *spec = nlohmann::json::object();
    std::lock_guard lock(spec_mu_);
    if (specs_.size() > 10000) specs_.clear();  // a cache, not a registry
    specs_[job_id] = spec;
  }
  return spec;
}

// --- Workers: run items, queue their settlements.

void Engine::worker_loop() {
  thread_local Rng rng{std::random_device{}()};
  for (;;) {
    Running r;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      r = std::move(queue_.front());
      queue_.pop_front();
    }
    ItemResult result;
    if (stopping_) {
      // Claimed but never started: give the item back without spending its attempt.
      result = ItemResult::failure(Outcome::kRateLimited, "worker_stopping",
                                   "the worker stopped before running the item");
      result.retry_after = 0ms;
    } else {
      const Workload* workload = workloads_.find(r.item.workload);
      if (workload == nullptr) {
        result = ItemResult::failure(Outcome::kPermanent, "unknown_workload",
                                     "no workload \"" + r.item.workload + "\" in this build");
      } else {
        WorkItem item;
        item.job_id = r.item.job_id;
        item.tenant_id = r.item.tenant_id;
        item.item_id = r.item.lease.item_id;
        item.key = r.item.key;
        item.input = parse_json(r.item.input_json);
        item.spec = r.spec.get();
        item.attempt = r.item.attempt;
        RunContext ctx;
        ctx.stopping = &stopping_;
        try {
          result = workload->run(item, ctx);
        } catch (const std::exception& e) {
          result = ItemResult::failure(Outcome::kRetryable, "workload_exception", e.what());
        }
      }
    }
    store::ItemSettlement s = settle_one(r, result);
    {
      std::lock_guard lock(settle_mu_);
      pending_settle_.emplace_back(std::move(s), std::move(r));
    }
    settle_cv_.notify_one();
  }
}

store::ItemSettlement Engine::settle_one(const Running& r, const ItemResult& result) {
  thread_local Rng rng{std::random_device{}()};
  RetryDecision d = decide_retry(result, r.item.attempt, r.item.max_attempts, config_.retry, rng);
  if (result.error_code == "worker_stopping" || result.error_code == "interrupted") {
    d = {Transition::kDefer, 0ms};  // shutdown, not the item's fault: straight back to ready
  }
  store::ItemSettlement s;
  s.lease = r.item.lease;
  s.cost_micros = result.cost_micros;
  switch (d.transition) {
    case Transition::kDone:
      s.outcome = store::ItemOutcome::kDone;
      s.result_json = result.output.dump();
      break;
    case Transition::kRetry:
      s.outcome = store::ItemOutcome::kRetry;
      break;
    case Transition::kDefer:
      s.outcome = store::ItemOutcome::kRateLimited;
      break;
    case Transition::kDead:
      s.outcome = store::ItemOutcome::kDead;
      break;
  }
  if (d.transition != Transition::kDone) {
    s.error_code = result.error_code;
    s.error_message = result.error_message;
    s.retry_delay = d.delay;
  }
  metrics_.items.with({r.item.workload, transition_name(d.transition)}).inc();
  return s;
}

// --- Settler: batches settlements, extends leases.

void Engine::settle_loop() {
  auto next_extend = std::chrono::steady_clock::now() + config_.lease / 3;
  for (;;) {
    std::vector<std::pair<store::ItemSettlement, Running>> batch;
    {
      std::unique_lock lock(settle_mu_);
      // Asleep until a runner hands over a result (it notifies) or leases need extending, so an
      // idle engine does not wake 100 times a second; then up to 10 ms for a fuller batch.
      settle_cv_.wait_until(lock, next_extend,
                            [this] { return !pending_settle_.empty() || settler_stopping_; });
      if (!pending_settle_.empty()) {
        settle_cv_.wait_for(lock, 10ms, [this] {
          return static_cast<int>(pending_settle_.size()) >= min_claim_ || settler_stopping_;
        });
      }
      batch.swap(pending_settle_);
      // The runners are gone, so nothing more can arrive.
      if (batch.empty() && settler_stopping_) return;
    }
    if (!batch.empty()) flush_settlements(batch);
    if (std::chrono::steady_clock::now() >= next_extend) {
      extend_leases();
      next_extend = std::chrono::steady_clock::now() + config_.lease / 3;
    }
  }
}

void Engine::flush_settlements(std::vector<std::pair<store::ItemSettlement, Running>>& batch) {
  std::vector<store::ItemSettlement> settlements;
  settlements.reserve(batch.size());
  for (auto& [s, r] : batch) settlements.push_back(s);
  Result<store::SettleResult> settled = store_.settle_items(settlements);
  for (int attempt = 1; !settled && attempt < 5; ++attempt) {
    log::warn("jobs_settle_failed", {{"error", settled.error().message}, {"attempt", attempt}});
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
    settled = store_.settle_items(settlements);
  }
  if (!settled) {
    // The leases will expire and the items run again: results are still recorded once.
    log::error("jobs_settle_abandoned", {{"items", batch.size()}});
  }
  {
    std::lock_guard lock(settle_mu_);
    for (auto& [s, r] : batch) held_.erase(s.lease.item_id);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Running& r = batch[i].second;
    if (settled && i < settled->applied.size() && !settled->applied[i]) {
      metrics_.items.with({r.item.workload, "lost"}).inc();
    }
    limits_.remove(r.item.tenant_id, r.item.resource);
    if (!r.item.resource.empty()) metrics_.resource_in_use.with({r.item.resource}).dec();
  }
  metrics_.in_flight.set(limits_.total());
  space_cv_.notify_one();
  if (settled && !settled->drained_jobs.empty()) {
    {
      std::lock_guard lock(maint_mu_);
      drained_.insert(settled->drained_jobs.begin(), settled->drained_jobs.end());
    }
    maint_cv_.notify_one();
  }
}

void Engine::extend_leases() {
  std::vector<store::ItemLease> leases;
  {
    std::lock_guard lock(settle_mu_);
    leases.reserve(held_.size());
    for (const auto& [id, lease] : held_) leases.push_back(lease);
  }
  for (std::size_t i = 0; i < leases.size(); i += 1000) {
    const std::size_t n = std::min<std::size_t>(1000, leases.size() - i);
    auto extended = store_.extend_leases(std::span(leases).subspan(i, n), config_.lease);
    if (!extended) log::warn("jobs_lease_extend_failed", {{"error", extended.error().message}});
  }
}

// --- Maintenance: finalize, reclaim, quotas, purge, metrics.

void Engine::maintenance_loop() {
  auto next_maintain = std::chrono::steady_clock::now();
  while (!stopping_) {
    std::set<std::int64_t> drained;
    {
      std::unique_lock lock(maint_mu_);
      maint_cv_.wait_until(lock, next_maintain, [this] { return stopping_ || !drained_.empty(); });
      drained.swap(drained_);
    }
    if (stopping_) break;
    for (std::int64_t id : drained) finalize(id);
    if (std::chrono::steady_clock::now() >= next_maintain) {
      maintain();
      next_maintain = std::chrono::steady_clock::now() + std::max(config_.poll_interval, 1000ms);
    }
  }
}

void Engine::finalize(std::int64_t job_id) {
  FinalizeOptions options{config_.results_dir, config_.min_free_bytes, statvfs_free_bytes};
  auto done = finalize_job(store_, workloads_, options, job_id);
  std::lock_guard lock(maint_mu_);
  if (!done) {
    if (done.code() == ErrorCode::kInsufficientStorage) {
      if (paused_for_disk_.insert(job_id).second) {
        log::error("jobs_results_paused", {{"job_id", job_id}, {"error", done.error().message}});
      }
    } else {
      log::error("jobs_finalize_failed", {{"job_id", job_id}, {"error", done.error().message}});
    }
    metrics_.finalize_paused.set(static_cast<double>(paused_for_disk_.size()));
    return;
  }
  paused_for_disk_.erase(job_id);
  metrics_.finalize_paused.set(static_cast<double>(paused_for_disk_.size()));
  if (done.value()) {
    const store::Job& job = *done.value();
    metrics_.finished.with({job.workload, store::job_state_name(job.state)}).inc();
    log::info("job_finished", {{"job_id", job.id},
                               {"state", store::job_state_name(job.state)},
                               {"done", job.counts.done},
                               {"dead", job.counts.dead}});
    std::lock_guard spec_lock(spec_mu_);
    specs_.erase(job_id);
  }
}

void Engine::maintain() {
  if (auto reclaimed = store_.reclaim_expired_leases(1000); reclaimed) {
    const auto expired = reclaimed->reclaimed + reclaimed->dead_lettered;
    if (expired > 0) {
      metrics_.lease_expirations.inc(static_cast<double>(expired));
      log::warn("jobs_leases_expired",
                {{"reclaimed", reclaimed->reclaimed}, {"dead_lettered", reclaimed->dead_lettered}});
      wake();
    }
    std::lock_guard lock(maint_mu_);
    drained_.insert(reclaimed->drained_jobs.begin(), reclaimed->drained_jobs.end());
  }
  // Jobs left drained by a crash, and jobs waiting for disk space.
  std::set<std::int64_t> todo;
  if (auto drained = store_.list_drained_jobs(100); drained) {
    todo.insert(drained->begin(), drained->end());
  }
  {
    std::lock_guard lock(maint_mu_);
    todo.insert(paused_for_disk_.begin(), paused_for_disk_.end());
    todo.insert(drained_.begin(), drained_.end());
    drained_.clear();
  }
  for (std::int64_t id : todo) finalize(id);

  if (auto stats = store_.queue_stats(); stats) {
    const auto now = std::chrono::system_clock::now();
    for (const auto& p : stats->priorities) {
      const std::string label = std::to_string(p.priority);
      metrics_.queue_depth.with({label}).set(static_cast<double>(p.ready));
      double age = 0;
      if (p.oldest_ready_at) {
        if (auto t = parse_timestamp(*p.oldest_ready_at)) {
          age = std::max(0.0, std::chrono::duration<double>(now - *t).count());
        }
      }
      metrics_.queue_age.with({label}).set(age);
    }
    std::int64_t active = 0, running = 0;
    for (const auto& t : stats->tenants) {
      active += t.active_jobs;
      running += t.running_jobs;
    }
    metrics_.jobs.with({"running"}).set(static_cast<double>(running));
    metrics_.jobs.with({"queued"}).set(static_cast<double>(active - running));
    {
      std::lock_guard lock(maint_mu_);
      active_tenants_.clear();
      for (const auto& t : stats->tenants) active_tenants_.push_back(t.tenant_id);
    }
    refresh_tenant_ids();
    resume_quota_held_jobs(stats.value());
  }

  if (std::chrono::steady_clock::now() >= next_purge_) {
    next_purge_ = std::chrono::steady_clock::now() + 60s;
    const std::string before =
        store::format_timestamp(std::chrono::system_clock::now() - config_.retention);
    if (auto purged = store_.purge_finished_jobs(before, 1000); purged && purged.value() > 0) {
      log::info("jobs_purged", {{"jobs", purged.value()}, {"finished_before", before}});
    }
  }
}

void Engine::refresh_tenant_ids() {
  if (config_.tenant_quotas.empty()) return;
  auto tenants = store_.list_tenants();
  if (!tenants) return;
  std::lock_guard lock(maint_mu_);
  for (const auto& t : tenants.value()) {
    if (config_.tenant_quotas.count(t.name) > 0) tenant_ids_[t.name] = t.id;
  }
}

void Engine::resume_quota_held_jobs(const store::QueueStats& stats) {
  // Jobs held at submission by the running-jobs quota (job_service.cpp) start, oldest first,
  // as their tenant's earlier jobs finish.
  store::JobFilter filter;
  filter.state = store::JobState::kQueued;
  filter.limit = 1000;
  auto queued = store_.list_jobs(filter);
  if (!queued) return;
  std::map<std::int64_t, std::int64_t> active;
  for (const auto& t : stats.tenants) active[t.tenant_id] = t.active_jobs;
  bool resumed = false;
  for (auto it = queued->rbegin(); it != queued->rend(); ++it) {
    const store::Job& job = *it;
    if (!job.paused || !job.status_message.starts_with(kQuotaHoldPrefix)) continue;
    std::string name;
    {
      std::lock_guard lock(maint_mu_);
      for (const auto& [n, id] : tenant_ids_) {
        if (id == job.tenant_id) name = n;
      }
    }
    const int quota = quota_for(config_, name).max_running_jobs;
    if (quota > 0 && active[job.tenant_id] >= quota) continue;
    if (store_.resume_job(job.id).ok()) {
      ++active[job.tenant_id];
      resumed = true;
      log::info("job_released_by_quota", {{"job_id", job.id}, {"tenant_id", job.tenant_id}});
    }
  }
  if (resumed) wake();
}

}  // namespace osprey::jobs
