#include "jobs/job_finalizer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "jobs/timestamp.h"
#include "store/tenancy_input.h"

namespace osprey::jobs {
namespace {

// One results line, built from stored text without re-parsing the item's result.
std::string result_line(const store::JobItem& item) {
  std::string line = "{\"key\":";
  line += nlohmann::json(item.key).dump();
  line += ",\"state\":\"";
  line += store::item_state_name(item.state);
  line += "\",\"attempts\":" + std::to_string(item.attempts);
  if (item.state == store::ItemState::kDone) {
    line += ",\"output\":";
    line += item.result_json && !item.result_json->empty() ? *item.result_json : "null";
    if (item.cost_micros != 0) line += ",\"cost_micros\":" + std::to_string(item.cost_micros);
  } else if (!item.last_error_code.empty()) {
    line += ",\"error\":";
    line += nlohmann::json{{"code", item.last_error_code}, {"message", item.last_error}}.dump();
  }
  line += "}";
  return line;
}

double seconds_between(const std::optional<std::string>& from, const std::string& to) {
  if (!from) return 0;
  auto a = parse_timestamp(*from);
  auto b = parse_timestamp(to);
  if (!a || !b) return 0;
  return std::chrono::duration<double>(*b - *a).count();
}

// An exclusive, non-blocking flock on <dir>/.finalize.lock: several processes (api and worker
// roles) may notice the same drained job, and only one may write its directory at a time.
class FinalizeLock {
 public:
  explicit FinalizeLock(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    fd_ = ::open((dir + "/.finalize.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    held_ = fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  ~FinalizeLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  FinalizeLock(const FinalizeLock&) = delete;
  FinalizeLock& operator=(const FinalizeLock&) = delete;
  bool held() const { return held_; }
  bool failed() const { return fd_ < 0; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace

std::string job_results_dir(const std::string& results_dir, std::int64_t job_id) {
  return results_dir + "/" + std::to_string(job_id);
}

store::JobState final_state(const store::Job& job) {
  if (job.cancel_requested) return store::JobState::kCancelled;
  if (job.counts.done == job.counts.total) return store::JobState::kSucceeded;
  if (job.counts.done == 0) return store::JobState::kFailed;
  return store::JobState::kPartiallySucceeded;
}

Result<std::optional<store::Job>> finalize_job(store::Store& store,
                                               const WorkloadRegistry& workloads,
                                               const FinalizeOptions& options,
                                               std::int64_t job_id) {
  const std::string dir = job_results_dir(options.results_dir, job_id);
  FinalizeLock lock(dir);
  if (lock.failed()) {
    return make_error(ErrorCode::kInternal, "cannot create " + dir + "/.finalize.lock");
  }
  if (!lock.held()) return std::optional<store::Job>();  // another process is at it; retry later
  // Read the job only now, under the lock, so a job another process just finished is seen as
  // finished and its files are left alone.
  auto found = store.get_job(std::nullopt, job_id);
  if (!found) return found.error();
  if (!found.value()) return std::optional<store::Job>();
  const store::Job job = std::move(*found.value());
  if (store::is_finished(job.state)) return std::optional<store::Job>(job);
  if (job.counts.pending() > 0) return std::optional<store::Job>();

  ResultsWriter writer(dir, options.min_free_bytes, options.free_space);
  // A rough size guess so a nearly full disk is caught before the write, not in the middle.
  const std::uint64_t expected = static_cast<std::uint64_t>(job.counts.total) * 64;
  if (Status st = writer.begin(expected); !st.ok()) {
    if (st.code() == ErrorCode::kInsufficientStorage) {
      (void)store.pause_job(job_id, "paused: " + st.error().message);
    }
    return st.error();
  }
  std::map<std::string, std::int64_t> errors_by_code;
  store::ItemFilter filter;
  filter.job_id = job_id;
  filter.limit = 10000;
  std::int64_t lines = 0;
  for (;;) {
    auto page = store.list_items(filter);
    if (!page) return page.error();
    for (const store::JobItem& item : page.value()) {
      if (Status st = writer.append(result_line(item)); !st.ok()) return st.error();
      if (item.state == store::ItemState::kDead) ++errors_by_code[item.last_error_code];
      ++lines;
    }
    if (page->size() < static_cast<std::size_t>(filter.limit)) break;
    filter.after_id = page->back().id;
  }

  const std::string now = store::format_timestamp(std::chrono::system_clock::now());
  const double run_seconds = seconds_between(job.started_at, now);
  nlohmann::json manifest = {
      {"job_id", job.id},
      {"tenant_id", job.tenant_id},
      {"workload", job.workload},
      {"state", std::string(store::job_state_name(final_state(job)))},
      {"counts",
       {{"total", job.counts.total},
        {"done", job.counts.done},
        {"dead", job.counts.dead},
        {"cancelled", job.counts.cancelled},
        {"lines", lines}}},
      {"timings",
       {{"created_at", job.created_at},
        {"started_at", job.started_at ? nlohmann::json(*job.started_at) : nlohmann::json()},
        {"finalized_at", now},
        {"run_seconds", run_seconds},
        {"queue_seconds", job.started_at ? seconds_between(job.created_at, *job.started_at) : 0}}},
      {"cost_micros", job.cost_micros},
      {"cost_usd", static_cast<double>(job.cost_micros) / 1e6},
      {"errors_by_code", errors_by_code},
      {"lease_expirations", job.lease_expirations},
      {"results_file", std::string(kResultsFile)},
      {"results_bytes", writer.bytes_written()},
  };
  if (const Workload* w = workloads.find(job.workload); w != nullptr) {
    const JobOutcome outcome{.job_id = job.id,
                             .tenant_id = job.tenant_id,
                             .total = job.counts.total,
                             .done = job.counts.done,
                             .dead = job.counts.dead,
                             .cancelled = job.counts.cancelled};
    nlohmann::json extra = w->finalize(outcome);
    if (extra.is_object() && !extra.empty()) manifest["workload_summary"] = std::move(extra);
  }
  if (Status st = writer.commit(manifest); !st.ok()) return st.error();
  if (job.paused) (void)store.resume_job(job_id);
  auto finished = store.finish_job(job_id);
  if (!finished) return finished.error();
  return std::optional<store::Job>(std::move(finished.value()));
}

}  // namespace osprey::jobs
