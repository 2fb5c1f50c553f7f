// Claim + settle throughput of the job store, the loop every engine worker runs: create one job
// of N items, then T threads each claim a batch, settle it as done (a small result JSON), and
// repeat until the queue is empty. Prints items/s for creation and for claim+settle.
//   osprey_bench_jobs_store [--url sqlite:<path>|postgres://...] [--items N] [--batch B]
//                           [--threads T] [--stores S]
// Without --url a SQLite file in a temp dir is used. A PostgreSQL URL must name an empty
// database (the bench migrates it and leaves its rows behind).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace {

using namespace osprey::store;
using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "osprey_bench_jobs_store: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<Store> open(const std::string& url, int pool_size) {
  StoreOptions options;
  options.url = url;
  options.pool_size = pool_size;
  auto store = open_store(options);
  if (!store) fail(store.error().message);
  return std::move(*store);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int items = 100000, batch = 256, threads = 2, stores = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--url")
      url = value;
    else if (flag == "--items")
      items = std::stoi(value);
    else if (flag == "--batch")
      batch = std::stoi(value);
    else if (flag == "--threads")
      threads = std::stoi(value);
    else if (flag == "--stores")
      stores = std::stoi(value);
    else
      fail("unknown flag " + flag);
  }
  std::filesystem::path dir;
  if (url.empty()) {
    dir = std::filesystem::temp_directory_path() /
          ("osprey_jobs_bench_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    url = "sqlite:" + (dir / "jobs.db").string();
  }
  std::vector<std::unique_ptr<Store>> opened;
  for (int s = 0; s < stores; ++s) opened.push_back(open(url, threads + 1));
  Store& main_store = *opened[0];
  if (auto s = main_store.migrate(); !s) fail(s.error().message);
  auto tenant = main_store.create_tenant("bench-" + std::to_string(std::random_device{}()), "{}");
  if (!tenant) fail(tenant.error().message);

  NewJob job;
  job.tenant_id = tenant->id;
  job.workload = "noop";
  job.items.reserve(static_cast<std::size_t>(items));
  for (int i = 0; i < items; ++i) {
    job.items.push_back(
        NewJobItem{"item-" + std::to_string(i), R"({"n":)" + std::to_string(i) + "}"});
  }
  auto create_start = Clock::now();
  auto created = main_store.create_job(job);
  if (!created) fail(created.error().message);
  const double create_s = seconds_since(create_start);

  std::atomic<long> settled{0};
  std::atomic<long> claims{0};
  std::atomic<long> claim_us{0}, settle_us{0};  // summed over threads
  auto run_start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    Store* store = opened[static_cast<std::size_t>(t % stores)].get();
    workers.emplace_back([&, store, t] {
      ClaimRequest request;
      request.worker_id = "bench-" + std::to_string(t);
      request.max_items = batch;
      std::vector<ItemSettlement> settlements;
      while (true) {
        auto t0 = Clock::now();
        auto claimed = store->claim_items(request);
        auto t1 = Clock::now();
        claim_us += std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
        if (!claimed) fail(claimed.error().message);
        if (claimed->empty()) return;
        ++claims;
        settlements.clear();
        for (const ClaimedItem& item : *claimed) {
          ItemSettlement s;
          s.lease = item.lease;
          s.outcome = ItemOutcome::kDone;
          s.result_json = R"({"echo":)" + item.input_json + "}";
          settlements.push_back(std::move(s));
        }
        auto t2 = Clock::now();
        auto done = store->settle_items(settlements);
        settle_us +=
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t2).count();
        if (!done) fail(done.error().message);
        for (bool applied : done->applied) settled += applied ? 1 : 0;
      }
    });
  }
  for (auto& w : workers) w.join();
  const double run_s = seconds_since(run_start);
  auto finished = main_store.finish_job(created->job.id);
  if (!finished) fail(finished.error().message);

  std::printf("backend=%s items=%d batch=%d threads=%d stores=%d\n",
              std::string(main_store.backend()).c_str(), items, batch, threads, stores);
  std::printf("create_job: %.3f s (%.0f items/s)\n", create_s, items / create_s);
  std::printf("claim+settle: %.3f s (%.0f items/s), %ld claims, %ld settled, job %s\n", run_s,
              static_cast<double>(settled.load()) / run_s, claims.load(), settled.load(),
              std::string(job_state_name(finished->state)).c_str());
  std::printf("time in calls (summed over threads): claim %.3f s, settle %.3f s\n",
              static_cast<double>(claim_us.load()) / 1e6,
              static_cast<double>(settle_us.load()) / 1e6);
  if (settled.load() != items)
    fail("settled " + std::to_string(settled.load()) + " of " + std::to_string(items));
  for (auto& s : opened) (void)s->close();
  if (!dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return 0;
}
