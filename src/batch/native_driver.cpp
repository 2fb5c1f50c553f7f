#include "batch/native_driver.h"

#include <algorithm>
#include <limits>
#include <set>

#include "core/json_parse.h"
#include "core/log.h"
#include "core/thread_role.h"
#include "jobs/worker_id.h"
#include "store/tenancy_input.h"

namespace osprey::batch {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr std::size_t kMaxHistory = 200;
constexpr int kItemPage = 10000;
constexpr std::size_t kSettleChunk = 1000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string now_text() { return store::format_timestamp(std::chrono::system_clock::now()); }

// Errors a second submission cannot fix: the part fails instead of being retried.
bool is_permanent(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kUnauthorized:
    case ErrorCode::kForbidden:
    case ErrorCode::kNotFound:
    case ErrorCode::kPayloadTooLarge:
    case ErrorCode::kConfigInvalid:
    case ErrorCode::kContentDenied:
    case ErrorCode::kNotImplemented:
      return true;
    default:
      return false;
  }
}

BatchState part_state(const json& part) {
  return parse_batch_state(part.value("state", "submitted")).value_or(BatchState::kSubmitted);
}

bool part_pending(const json& part) {
  const std::string s = part.value("state", "");
  return s == "pending" || s == "submitting";
}

// Submitted to the provider and not ended there: what the per-model cap counts.
bool part_in_flight(const json& part) {
  return !part_pending(part) && part.value("state", "") != "not_submitted" &&
         !is_terminal(part_state(part));
}

bool part_done(const json& part) { return part.value("imported", false); }

SubmittedBatch submitted_of(const json& part) {
  return SubmittedBatch{part.value("provider_batch_id", ""), part.value("data", json::object())};
}

store::ItemSettlement settlement_of(const store::ClaimedItem& item,
                                    const jobs::ItemResult& result) {
  store::ItemSettlement s;
  s.lease = item.lease;
  s.cost_micros = result.cost_micros;
  if (result.outcome == jobs::Outcome::kSuccess) {
    s.outcome = store::ItemOutcome::kDone;
    s.result_json = result.output.dump();
  } else {
    // The provider already ran (or refused) the record: a retry would be another batch, so the
    // failure is the item's dead letter (redrive runs it again synchronously).
    s.outcome = store::ItemOutcome::kDead;
    s.error_code = result.error_code;
    s.error_message = result.error_message;
  }
  return s;
}

// The items of `job_id` the driver still holds (paused) with ids in [first_id, last_id], by id.
Result<std::vector<store::JobItem>> list_held(
    store::Store& store, std::int64_t job_id, std::int64_t first_id = 1,
    std::int64_t last_id = std::numeric_limits<std::int64_t>::max()) {
  std::vector<store::JobItem> out;
  store::ItemFilter filter;
  filter.job_id = job_id;
  filter.state = store::ItemState::kPaused;
  filter.after_id = first_id - 1;
  filter.limit = kItemPage;
  for (;;) {
    auto page = store.list_items(filter);
    if (!page) return page.error();
    if (page->empty()) break;
    filter.after_id = page->back().id;
    const bool last = static_cast<int>(page->size()) < kItemPage || filter.after_id >= last_id;
    for (auto& item : page.value()) {
      if (item.id <= last_id) out.push_back(std::move(item));
    }
    if (last) break;
  }
  return out;
}

// A part's held items: those in its id range.
Result<std::vector<store::JobItem>> list_held(store::Store& store, std::int64_t job_id,
                                              const json& part) {
  return list_held(store, job_id, part.value("first_item_id", std::int64_t{0}),
                   part.value("last_item_id", std::int64_t{0}));
}

// The status message of a job (or part) held back by the per-model cap.
std::string queue_message(const std::string& model, int in_flight, int cap) {
  return "waiting in Osprey's queue: " + std::to_string(in_flight) +
         " provider batch jobs in flight for model " + model + " (max_in_flight " +
         std::to_string(cap) + ")";
}

json parse_input(const store::JobItem& item) {
  json input = parse_json(item.input_json);
  return input.is_discarded() ? json() : input;
}

}  // namespace

// What one step knows about its job; saves the driver state when it changed.
struct NativeDriver::JobContext {
  NativeDriver& driver;
  const store::Job& job;
  const NativeItemCodec& codec;
  json state;
  bool dirty = false;

  store::Store& store() { return driver.deps_.store; }

  void record(int part, const std::string& event, const std::string& detail) {
    json& history = state["history"];
    if (!history.is_array()) history = json::array();
    json entry = {{"at", now_text()}, {"event", event}};
    if (part >= 0) entry["part"] = part;
    if (!detail.empty()) entry["detail"] = detail;
    history.push_back(std::move(entry));
    while (history.size() > kMaxHistory) history.erase(history.begin());
    dirty = true;
  }

  void message(const std::string& text) {
    const std::string full = std::string(kNativeDriver) + ": " + text;
    if (full != job.status_message) (void)store().set_job_message(job.id, full);
  }

  void save() {
    if (!dirty) return;
    if (Status st = store().set_job_driver_state(job.id, state.dump()); !st.ok()) {
      log::warn("native_batch_state_not_saved",
                {{"job_id", job.id}, {"error", st.error().message}});
    }
    dirty = false;
  }

  // Releases the job to the engine: the rest runs synchronously (phase "sync"), or nothing is
  // left and it is finalized (phase "done").
  void hand_back() {
    (void)store().resume_job(job.id);
    const std::string phase = state.value("phase", "");
    message(state.value("summary", phase));
    const NativeDriverDeps& deps = driver.deps_;
    if (phase == "sync" && deps.on_new_work) deps.on_new_work();
    if (phase == "done" && deps.on_drained) deps.on_drained(job.id);
  }

  // Leases the items that have a result and records them through settle_items.
  void settle(std::vector<std::pair<std::int64_t, jobs::ItemResult>>& results) {
    for (std::size_t begin = 0; begin < results.size(); begin += kSettleChunk) {
      const std::size_t end = std::min(results.size(), begin + kSettleChunk);
      std::vector<std::int64_t> ids;
      std::map<std::int64_t, const jobs::ItemResult*> by_id;
      for (std::size_t i = begin; i < end; ++i) {
        ids.push_back(results[i].first);
        by_id[results[i].first] = &results[i].second;
      }
      auto leased =
          store().claim_held_items(job.id, ids, driver.worker_id_, driver.config_.import_lease);
      if (!leased) {
        log::warn("native_batch_lease_failed",
                  {{"job_id", job.id}, {"error", leased.error().message}});
        return;
      }
      std::vector<store::ItemSettlement> settlements;
      for (const store::ClaimedItem& item : leased.value()) {
        settlements.push_back(settlement_of(item, *by_id[item.lease.item_id]));
      }
      if (settlements.empty()) continue;
      auto settled = store().settle_items(settlements);
      if (!settled) {
        log::warn("native_batch_settle_failed",
                  {{"job_id", job.id}, {"error", settled.error().message}});
        return;
      }
    }
  }
};

NativeDriver::NativeDriver(NativeDriverDeps deps, NativeBatchConfig config)
    : deps_(std::move(deps)),
      config_(std::move(config)),
      worker_id_("native-batch:" + jobs::process_worker_id()) {}

NativeDriver::~NativeDriver() { stop(); }

void NativeDriver::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    set_current_thread_role("osprey-batch");
    loop();
  });
}

void NativeDriver::stop() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
}

void NativeDriver::wake() {
  {
    std::lock_guard lock(wake_mu_);
    wake_requested_ = true;
  }
  wake_cv_.notify_all();
}

void NativeDriver::loop() {
  while (!stopping_) {
    tick();
    std::unique_lock lock(wake_mu_);
    wake_cv_.wait_for(lock, config_.poll, [this] { return wake_requested_ || stopping_.load(); });
    wake_requested_ = false;
  }
}

const BatchAdapter* NativeDriver::adapter_for(const std::string& model, std::string* adapter_name,
                                              std::string* error) {
  std::lock_guard lock(adapters_mu_);
  if (auto it = adapters_.find(model); it != adapters_.end()) {
    *adapter_name = it->second.first;
    return it->second.second.get();
  }
  auto provider = deps_.resolve_model(model);
  if (!provider) {
    *error = provider.error().message;
    return nullptr;
  }
  const std::string name = provider->adapter;
  const AdapterFactory* factory = deps_.adapters.find(name);
  if (factory == nullptr) {
    *error = "model " + model + " is served by a \"" + name +
             "\" deployment, which has no native batch adapter";
    return nullptr;
  }
  AdapterContext context;
  context.provider = provider.value();
  if (auto it = config_.adapter_options.find(name); it != config_.adapter_options.end()) {
    context.options = it->second;
  }
  auto adapter = (*factory)(context);
  if (!adapter) {
    *error = adapter.error().message;
    return nullptr;
  }
  *adapter_name = name;
  const BatchAdapter* out = adapter.value().get();
  adapters_[model] = {name, std::move(adapter.value())};
  return out;
}

void NativeDriver::tick() {
  std::lock_guard tick_lock(tick_mu_);
  std::vector<store::Job> jobs;
  // Unfinished jobs (oldest first: the queue behind the cap is FIFO), then recently cancelled
  // ones whose provider jobs may still need a cancel.
  for (store::JobState state :
       {store::JobState::kQueued, store::JobState::kRunning, store::JobState::kCancelled}) {
    store::JobFilter filter;
    filter.state = state;
    filter.limit = state == store::JobState::kCancelled ? 100 : 1000;
    auto listed = deps_.store.list_jobs(filter);
    if (!listed) {
      log::warn("native_batch_list_failed", {{"error", listed.error().message}});
      return;
    }
    for (store::Job& job : listed.value()) {
      if (deps_.codecs.count(job.workload) == 0) continue;
      if (state == store::JobState::kCancelled && job.driver_state.empty()) continue;
      jobs.push_back(std::move(job));
    }
  }
  std::sort(jobs.begin(), jobs.end(),
            [](const store::Job& a, const store::Job& b) { return a.id < b.id; });

  // Provider jobs in flight per model, from every job's driver state.
  std::map<std::string, int> in_flight;
  for (const store::Job& job : jobs) {
    if (job.driver_state.empty()) continue;
    json st = parse_json(job.driver_state);
    if (st.is_discarded() || !st.contains("parts")) continue;
    for (const json& part : st["parts"]) {
      if (part_in_flight(part)) ++in_flight[st.value("model", "")];
    }
  }
  for (const store::Job& job : jobs) {
    if (stopping_) return;
    step(job, in_flight);
  }
}

void NativeDriver::step(const store::Job& job, std::map<std::string, int>& in_flight) {
  const NativeItemCodec& codec = *deps_.codecs.find(job.workload)->second;
  const json spec = parse_json(job.spec_json);
  const jobs::Workload* workload = deps_.workloads.find(job.workload);
  if (spec.is_discarded() || workload == nullptr || workload->driver_hold(spec) != kNativeDriver) {
    return;
  }
  JobContext ctx{*this, job, codec, json::object()};
  if (!job.driver_state.empty()) {
    ctx.state = parse_json(job.driver_state);
    if (!ctx.state.is_object()) ctx.state = json::object();
  }
  json& st = ctx.state;
  const std::string phase = st.value("phase", "");

  // Cancelled at any stage: cancel what the provider still runs.
  if (job.cancel_requested || job.state == store::JobState::kCancelled) {
    if (phase == "cancelled" || !st.contains("parts")) return;
    std::string adapter_name, error;
    const BatchAdapter* adapter = adapter_for(st.value("model", ""), &adapter_name, &error);
    bool all_sent = true;
    for (json& part : st["parts"]) {
      if (part_pending(part) || part.value("state", "") == "not_submitted") {
        part["state"] = "not_submitted";
        continue;
      }
      if (is_terminal(part_state(part)) || part.value("cancel_sent", false)) continue;
      Status cancelled = adapter != nullptr ? adapter->cancel(submitted_of(part))
                                            : Status(make_error(ErrorCode::kUnavailable, error));
      if (!cancelled.ok()) {
        all_sent = false;
        log::warn("native_batch_cancel_failed",
                  {{"job_id", job.id},
                   {"provider_batch_id", part.value("provider_batch_id", "")},
                   {"error", cancelled.error().message}});
        continue;
      }
      part["cancel_sent"] = true;
      ctx.record(part.value("index", 0), "cancel_requested", part.value("provider_batch_id", ""));
      log::info("native_batch_cancelled",
                {{"job_id", job.id},
                 {"provider", adapter_name},
                 {"provider_batch_id", part.value("provider_batch_id", "")}});
    }
    if (all_sent) {
      st["phase"] = "cancelled";
      ctx.dirty = true;
      ctx.message("cancelled; provider batch jobs cancelled");
    }
    ctx.save();
    return;
  }
  if (store::is_finished(job.state)) return;

  // Everything imported: hand what is left to the engine (again, after a crash in between).
  if (phase == "done" || phase == "sync") {
    if (job.paused) ctx.hand_back();
    return;
  }
  if (!job.paused) return;  // handed to the engine

  const NativeMode mode = codec.mode(spec);
  std::string model = codec.model(spec);
  if (model.empty()) model = job.resource;
  std::string adapter_name, adapter_error;
  const BatchAdapter* adapter = adapter_for(model, &adapter_name, &adapter_error);

  if (!st.contains("parts")) {
    const int cap = config_.cap_for(model, adapter_name);
    if (adapter != nullptr && cap > 0 && in_flight[model] >= cap) {
      ctx.message(queue_message(model, in_flight[model], cap));
      return;
    }
    st = {{"driver", kNativeDriver}, {"mode", mode == NativeMode::kAuto ? "auto" : "native"},
          {"model", model},          {"adapter", adapter_name},
          {"phase", "submitted"},    {"parts", json::array()},
          {"history", json::array()}};
    // Plan: items that cannot become a request are dead-lettered now; the rest are cut into
    // parts of at most max_records, by item id.
    auto items = list_held(deps_.store, job.id);
    if (!items) {
      log::warn("native_batch_list_failed", {{"job_id", job.id}, {"error", items.error().message}});
      return;
    }
    std::vector<std::pair<std::int64_t, jobs::ItemResult>> rejected;
    std::vector<const store::JobItem*> valid;
    for (const store::JobItem& item : items.value()) {
      auto request = codec.request(parse_input(item));
      if (!request) {
        RecordOutcome outcome;
        outcome.record_id = item.key;
        outcome.kind = RecordOutcome::Kind::kErrored;
        outcome.error_code = std::string(code_name(request.error().code));
        outcome.error_message = request.error().message;
        rejected.emplace_back(item.id,
                              codec.errored(item.id, item.key, parse_input(item), outcome));
      } else {
        valid.push_back(&item);
      }
    }
    if (adapter == nullptr) {
      ctx.record(-1, "no_adapter", adapter_error);
      log::warn("native_batch_no_adapter", {{"job_id", job.id}, {"error", adapter_error}});
    }
    const std::size_t max_records =
        adapter != nullptr ? std::max<std::size_t>(1, adapter->limits().max_records) : 1;
    for (std::size_t begin = 0; begin < valid.size(); begin += max_records) {
      const std::size_t end = std::min(valid.size(), begin + max_records);
      const int index = static_cast<int>(st["parts"].size());
      json part = {{"index", index},
                   {"first_item_id", valid[begin]->id},
                   {"last_item_id", valid[end - 1]->id},
                   {"records", end - begin},
                   {"state", adapter != nullptr ? "pending" : "failed"},
                   {"raw_state", ""},
                   {"imported", false}};
      if (adapter == nullptr) part["message"] = adapter_error;
      st["parts"].push_back(std::move(part));
    }
    ctx.record(-1, "planned",
               std::to_string(st["parts"].size()) + " provider batch job(s) for " +
                   std::to_string(valid.size()) + " records");
    ctx.save();  // before anything reaches the provider
    if (!rejected.empty()) ctx.settle(rejected);
  }

  for (json& part : st["parts"]) {
    const int index = part.value("index", 0);
    if (part_done(part)) continue;
    if (part_pending(part)) {
      const int cap = config_.cap_for(model, adapter_name);
      if (cap > 0 && in_flight[model] >= cap) {
        ctx.message("part " + std::to_string(index) + " " +
                    queue_message(model, in_flight[model], cap));
        continue;
      }
      // Build the records of this part from the items still held in its id range.
      auto items = list_held(deps_.store, job.id, part);
      if (!items) continue;
      BatchSubmission submission;
      submission.model = model;
      auto provider = deps_.resolve_model(model);
      submission.upstream_model = provider ? provider->upstream_model : model;
      if (submission.upstream_model.empty()) submission.upstream_model = model;
      submission.label = "osprey-job-" + std::to_string(job.id) + "-part-" + std::to_string(index);
      bool padding_clash = false;
      for (const store::JobItem& item : items.value()) {
        auto request = codec.request(parse_input(item));
        if (!request) continue;
        request->model = submission.upstream_model;
        padding_clash = padding_clash || is_padding_record_id(item.key);
        submission.records.push_back({item.key, std::move(request.value())});
      }
      const std::size_t min_records = adapter->limits().min_records;
      if (submission.records.size() < min_records) {
        if (padding_clash) {
          part["state"] = "failed";
          part["message"] = "item keys starting with osprey-pad- cannot be padded";
          ctx.record(index, "failed", part["message"].get<std::string>());
          continue;
        }
        for (std::size_t n = 0; submission.records.size() < min_records; ++n) {
          submission.records.push_back(
              {padding_record_id(n), adapter->padding_request(submission)});
        }
      }
      part["state"] = "submitting";
      ctx.dirty = true;
      ctx.save();
      auto submitted = adapter->submit(submission);
      if (!submitted) {
        const Error& e = submitted.error();
        if (is_permanent(e.code)) {
          part["state"] = "failed";
          part["message"] = e.message;
          ctx.record(index, "submit_failed", e.message);
        } else {
          part["state"] = "pending";
          ctx.dirty = true;
          ctx.message("submitting part " + std::to_string(index) +
                      " failed, retrying: " + e.message);
        }
        log::warn("native_batch_submit_failed",
                  {{"job_id", job.id}, {"provider", adapter_name}, {"error", e.message}});
        ctx.save();
        continue;
      }
      part["provider_batch_id"] = submitted->id;
      part["data"] = submitted->data;
      part["state"] = "submitted";
      part["raw_state"] = "";
      part["submitted_at"] = now_text();
      part["submitted_at_ms"] = now_ms();
      ++in_flight[model];
      ctx.record(index, "submitted", submitted->id);
      ctx.message(adapter_name + " batch " + submitted->id + " submitted (" +
                  std::to_string(submission.records.size()) + " records)");
      log::info("native_batch_submitted", {{"job_id", job.id},
                                           {"provider", adapter_name},
                                           {"provider_batch_id", submitted->id},
                                           {"records", submission.records.size()}});
      ctx.save();
    }

    // Poll until terminal; auto mode gives up on a provider job that does not start.
    if (!part_pending(part) && part.value("state", "") != "failed" && adapter != nullptr &&
        !is_terminal(part_state(part))) {
      SubmittedBatch batch = submitted_of(part);
      auto status = adapter->poll(batch);
      if (!status) {
        log::warn("native_batch_poll_failed", {{"job_id", job.id},
                                               {"provider_batch_id", batch.id},
                                               {"error", status.error().message}});
        continue;
      }
      if (!status->data_update.empty()) {
        json data = part.value("data", json::object());
        data.update(status->data_update);
        part["data"] = std::move(data);
        ctx.dirty = true;
      }
      const std::string name(batch_state_name(status->state));
      if (name != part.value("state", "") || status->raw_state != part.value("raw_state", "")) {
        part["state"] = name;
        part["raw_state"] = status->raw_state;
        if (!status->message.empty()) part["message"] = status->message;
        ctx.record(index, name, status->raw_state);
        log::info("native_batch_state", {{"job_id", job.id},
                                         {"provider", adapter_name},
                                         {"provider_batch_id", batch.id},
                                         {"state", name},
                                         {"raw_state", status->raw_state}});
        ctx.message(adapter_name + " batch " + batch.id + " " + name + " (" + status->raw_state +
                    ")");
      }
      json counts = {
          {"total", status->total}, {"succeeded", status->succeeded}, {"failed", status->failed}};
      if (counts != part.value("counts", json())) {
        part["counts"] = std::move(counts);
        ctx.dirty = true;
      }
      if (mode == NativeMode::kAuto && is_not_yet_running(status->state) &&
          !part.value("fallback", false) &&
          now_ms() - part.value("submitted_at_ms", now_ms()) > config_.fallback_after.count()) {
        if (Status cancelled = adapter->cancel(batch); cancelled.ok()) {
          part["fallback"] = true;
          ctx.record(index, "fallback",
                     "not running after " + std::to_string(config_.fallback_after.count()) +
                         " ms: cancelled, unfinished items run synchronously");
          log::info("native_batch_fallback", {{"job_id", job.id},
                                              {"provider_batch_id", batch.id},
                                              {"state", name},
                                              {"raw_state", status->raw_state}});
          ctx.message(adapter_name + " batch " + batch.id + " still " + status->raw_state +
                      ": cancelled, falling back to synchronous");
        } else {
          log::warn("native_batch_cancel_failed", {{"job_id", job.id},
                                                   {"provider_batch_id", batch.id},
                                                   {"error", cancelled.error().message}});
        }
      }
      ctx.save();
    }

    // Import a part that ended (or could not be submitted).
    const bool failed_unsubmitted =
        part.value("state", "") == "failed" && !part.contains("provider_batch_id");
    if (!failed_unsubmitted && (part_pending(part) || !is_terminal(part_state(part)))) continue;
    std::vector<RecordOutcome> outcomes;
    if (!failed_unsubmitted) {
      auto imported = adapter->import_results(submitted_of(part));
      if (!imported) {
        log::warn("native_batch_import_failed",
                  {{"job_id", job.id},
                   {"provider_batch_id", part.value("provider_batch_id", "")},
                   {"error", imported.error().message}});
        continue;
      }
      outcomes = std::move(imported.value());
    }
    auto items = list_held(deps_.store, job.id, part);
    if (!items) continue;
    std::map<std::string, const store::JobItem*, std::less<>> held;
    for (const store::JobItem& item : items.value()) held[item.key] = &item;
    const std::string ended = part.value("state", "failed");
    std::vector<std::pair<std::int64_t, jobs::ItemResult>> results;
    std::int64_t succeeded = 0, errored = 0;
    for (const RecordOutcome& outcome : outcomes) {
      if (is_padding_record_id(outcome.record_id)) continue;
      auto it = held.find(outcome.record_id);
      if (it == held.end()) continue;  // settled before, or not this part's
      const json input = parse_input(*it->second);
      if (outcome.kind == RecordOutcome::Kind::kSucceeded) {
        results.emplace_back(it->second->id, codec.answered(it->second->id, outcome.record_id,
                                                            input, outcome.response));
        ++succeeded;
      } else if (outcome.kind == RecordOutcome::Kind::kErrored || mode == NativeMode::kNative) {
        results.emplace_back(it->second->id,
                             codec.errored(it->second->id, outcome.record_id, input, outcome));
        ++errored;
      } else {
        continue;  // auto: not run by the provider, runs synchronously below
      }
      held.erase(it);
    }
    // Records the provider never reported: its job failed, expired or was cancelled first.
    if (mode == NativeMode::kNative) {
      for (const auto& [key, item] : held) {
        RecordOutcome missing;
        missing.record_id = key;
        missing.kind = RecordOutcome::Kind::kNotRun;
        missing.error_code = "batch_" + ended;
        missing.error_message = part.value("message", "");
        if (missing.error_message.empty()) {
          missing.error_message =
              "the provider batch job ended " + ended + " without a result for this record";
        }
        results.emplace_back(item->id, codec.errored(item->id, key, parse_input(*item), missing));
        ++errored;
      }
    }
    ctx.settle(results);
    part["imported"] = true;
    part["imported_counts"] = {{"succeeded", succeeded}, {"failed", errored}};
    ctx.record(index, "imported",
               std::to_string(succeeded) + " succeeded, " + std::to_string(errored) + " failed");
    log::info("native_batch_imported", {{"job_id", job.id},
                                        {"provider_batch_id", part.value("provider_batch_id", "")},
                                        {"succeeded", succeeded},
                                        {"failed", errored}});
    ctx.save();
  }

  // Every part imported: what is still held runs synchronously (auto), or the job is done.
  bool all_imported = true;
  for (const json& part : st["parts"]) all_imported = all_imported && part_done(part);
  if (!all_imported) {
    ctx.save();
    return;
  }
  auto left = list_held(deps_.store, job.id);
  if (!left) return;
  if (!left->empty()) {
    st["phase"] = "sync";
    st["summary"] =
        std::to_string(left->size()) + " items the provider did not run are running synchronously";
  } else {
    st["phase"] = "done";
    st["summary"] = "provider batch jobs imported";
  }
  ctx.record(-1, st["phase"].get<std::string>(), st["summary"].get<std::string>());
  ctx.save();
  log::info("native_batch_handed_back",
            {{"job_id", job.id}, {"phase", st.value("phase", "")}, {"sync_items", left->size()}});
  ctx.hand_back();
}

}  // namespace osprey::batch
