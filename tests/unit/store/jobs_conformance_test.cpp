// Jobs and items part of the Store conformance suite: creation and idempotency, claims
// (order, fairness, caps, concurrency), settlement exactly once, retries, dead letters, lease
// expiry, cancel, pause, finish, purge, stats and wake-ups.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

using std::chrono::milliseconds;

NewJob make_job(std::int64_t tenant, int items, const std::string& prefix = "k") {
  NewJob job;
  job.tenant_id = tenant;
  job.workload = "noop";
  job.spec_json = R"({"delay_ms":0})";
  for (int i = 0; i < items; ++i) {
    job.items.push_back(
        NewJobItem{prefix + std::to_string(i), R"({"n":)" + std::to_string(i) + "}"});
  }
  return job;
}

class JobsTest : public StoreConformanceTest {
 protected:
  void SetUp() override {
    StoreConformanceTest::SetUp();
    if (HasFatalFailure()) return;
    migrate();
    tenant_a_ = store_->create_tenant("a", R"({"team":"search"})")->id;
    tenant_b_ = store_->create_tenant("b", "{}")->id;
  }

  Job create(const NewJob& job) {
    auto created = store_->create_job(job);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? created->job : Job{};
  }

  std::vector<ClaimedItem> claim(int n, milliseconds lease = milliseconds(30000),
                                 const std::string& worker = "w1") {
    ClaimRequest request;
    request.worker_id = worker;
    request.max_items = n;
    request.lease = lease;
    auto claimed = store_->claim_items(request);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? *claimed : std::vector<ClaimedItem>{};
  }

  SettleResult settle(const std::vector<ItemSettlement>& settlements) {
    auto settled = store_->settle_items(settlements);
    EXPECT_TRUE(settled.ok()) << settled.error().message;
    return settled.ok() ? *settled : SettleResult{};
  }

  static ItemSettlement done(const ClaimedItem& item, const std::string& result = R"({"ok":1})",
                             std::int64_t cost = 0) {
    ItemSettlement s;
    s.lease = item.lease;
    s.outcome = ItemOutcome::kDone;
    s.result_json = result;
    s.cost_micros = cost;
    return s;
  }

  static ItemSettlement failed(const ClaimedItem& item, ItemOutcome outcome,
                               milliseconds delay = milliseconds(0)) {
    ItemSettlement s;
    s.lease = item.lease;
    s.outcome = outcome;
    s.error_code = "upstream_error";
    s.error_message = "boom " + std::to_string(item.attempt);
    s.retry_delay = delay;
    return s;
  }

  Job job(std::int64_t id) {
    auto found = store_->get_job(std::nullopt, id);
    EXPECT_TRUE(found.ok() && found->has_value());
    return found.ok() && found->has_value() ? **found : Job{};
  }

  std::vector<JobItem> items(std::int64_t job_id, std::optional<ItemState> state = std::nullopt) {
    ItemFilter filter;
    filter.job_id = job_id;
    filter.state = state;
    auto listed = store_->list_items(filter);
    EXPECT_TRUE(listed.ok()) << listed.error().message;
    return listed.ok() ? *listed : std::vector<JobItem>{};
  }

  // Waits (polling, generous bound) until reclaim_expired_leases has reclaimed `n` leases.
  ReclaimResult reclaim_until(std::int64_t n) {
    ReclaimResult total;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (total.reclaimed + total.dead_lettered < n &&
           std::chrono::steady_clock::now() < deadline) {
      auto r = store_->reclaim_expired_leases(1000);
      EXPECT_TRUE(r.ok()) << r.error().message;
      if (!r.ok()) break;
      total.reclaimed += r->reclaimed;
      total.dead_lettered += r->dead_lettered;
      total.drained_jobs.insert(total.drained_jobs.end(), r->drained_jobs.begin(),
                                r->drained_jobs.end());
      std::this_thread::sleep_for(milliseconds(5));
    }
    return total;
  }

  std::int64_t tenant_a_ = 0;
  std::int64_t tenant_b_ = 0;
};

TEST_P(JobsTest, CreatesAJobWithItsItems) {
  NewJob spec = make_job(tenant_a_, 3);
  spec.priority = 2;
  spec.tags_json = R"({"team":"search"})";
  spec.resource = "llama3";
  Job job = create(spec);
  EXPECT_GT(job.id, 0);
  EXPECT_EQ(job.tenant_id, tenant_a_);
  EXPECT_EQ(job.workload, "noop");
  EXPECT_EQ(job.spec_json, R"({"delay_ms":0})");
  EXPECT_EQ(job.priority, 2);
  EXPECT_EQ(job.resource, "llama3");
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.counts, (JobCounts{.total = 3, .ready = 3}));
  EXPECT_FALSE(job.started_at.has_value());
  EXPECT_EQ(job.created_at.size(), 24u) << job.created_at;

  auto listed = items(job.id);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].key, "k0");
  EXPECT_EQ(listed[2].input_json, R"({"n":2})");
  EXPECT_EQ(listed[0].state, ItemState::kReady);
  EXPECT_EQ(listed[0].attempts, 0);
}

TEST_P(JobsTest, RejectsBadJobs) {
  NewJob empty = make_job(tenant_a_, 0);
  EXPECT_EQ(store_->create_job(empty).code(), ErrorCode::kInvalidRequest);
  NewJob duplicate = make_job(tenant_a_, 2);
  duplicate.items[1].key = duplicate.items[0].key;
  EXPECT_EQ(store_->create_job(duplicate).code(), ErrorCode::kInvalidRequest);
  NewJob bad_input = make_job(tenant_a_, 1);
  bad_input.items[0].input_json = "{nope";
  EXPECT_EQ(store_->create_job(bad_input).code(), ErrorCode::kInvalidRequest);
  NewJob bad_priority = make_job(tenant_a_, 1);
  bad_priority.priority = 10;
  EXPECT_EQ(store_->create_job(bad_priority).code(), ErrorCode::kInvalidRequest);
  NewJob bad_spec = make_job(tenant_a_, 1);
  bad_spec.spec_json = "[1]";
  EXPECT_EQ(store_->create_job(bad_spec).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->create_job(make_job(9999, 1)).code(), ErrorCode::kNotFound);
  auto listed = store_->list_jobs(JobFilter{});
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_P(JobsTest, IdempotencyKeyReturnsTheSameJobOrConflicts) {
  NewJob spec = make_job(tenant_a_, 2);
  spec.idempotency_key = "req-1";
  spec.body_hash = "h1";
  auto first = store_->create_job(spec);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  auto again = store_->create_job(spec);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->job.id, first->job.id);
  EXPECT_EQ(again->job.idempotency_key, "req-1");

  NewJob different = spec;
  different.body_hash = "h2";
  auto conflict = store_->create_job(different);
  EXPECT_EQ(conflict.code(), ErrorCode::kConflict);

  NewJob other_tenant = spec;
  other_tenant.tenant_id = tenant_b_;
  auto separate = store_->create_job(other_tenant);
  ASSERT_TRUE(separate.ok());
  EXPECT_TRUE(separate->created);
  EXPECT_NE(separate->job.id, first->job.id);
  EXPECT_EQ(job(first->job.id).counts.total, 2);
}

TEST_P(JobsTest, ConcurrentRequestsWithOneIdempotencyKeyCreateOneJob) {
  NewJob spec = make_job(tenant_a_, 5);
  spec.idempotency_key = "race";
  spec.body_hash = "same";
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < 4; ++i) stores.push_back(open_another(2));
  std::atomic<int> created{0};
  std::mutex mutex;
  std::set<std::int64_t> ids;
  std::vector<std::thread> threads;
  for (auto& store : stores) {
    threads.emplace_back([&, s = store.get()] {
      auto r = s->create_job(spec);
      ASSERT_TRUE(r.ok()) << r.error().message;
      if (r->created) ++created;
      std::lock_guard lock(mutex);
      ids.insert(r->job.id);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(ids.size(), 1u);
  for (auto& store : stores) EXPECT_TRUE(store->close().ok());
}

TEST_P(JobsTest, JobsAreTenantScoped) {
  Job job = create(make_job(tenant_a_, 1));
  auto own = store_->get_job(tenant_a_, job.id);
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(own->has_value());
  auto foreign = store_->get_job(tenant_b_, job.id);
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(foreign->has_value());
  EXPECT_EQ(store_->cancel_job(tenant_b_, job.id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->redrive_job(tenant_b_, job.id).code(), ErrorCode::kNotFound);
  JobFilter filter;
  filter.tenant_id = tenant_b_;
  auto listed = store_->list_jobs(filter);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_P(JobsTest, ListsJobsByStateWorkloadAndTagNewestFirst) {
  NewJob tagged = make_job(tenant_a_, 1);
  tagged.tags_json = R"({"project":"qa"})";
  Job first = create(tagged);
  NewJob other = make_job(tenant_a_, 1);
  other.workload = "exec";
  Job second = create(other);
  Job third = create(make_job(tenant_b_, 1));

  auto all = store_->list_jobs(JobFilter{});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, third.id);
  EXPECT_EQ((*all)[2].id, first.id);
  EXPECT_EQ((*all)[2].counts.total, 1);

  JobFilter by_workload;
  by_workload.workload = "exec";
  auto exec = store_->list_jobs(by_workload);
  ASSERT_TRUE(exec.ok());
  ASSERT_EQ(exec->size(), 1u);
  EXPECT_EQ((*exec)[0].id, second.id);

  JobFilter by_tag;
  by_tag.tag_key = "project";
  by_tag.tag_value = "qa";
  auto qa = store_->list_jobs(by_tag);
  ASSERT_TRUE(qa.ok());
  ASSERT_EQ(qa->size(), 1u);
  EXPECT_EQ((*qa)[0].id, first.id);

  JobFilter page;
  page.limit = 2;
  auto p1 = store_->list_jobs(page);
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->size(), 2u);
  page.before_id = p1->back().id;
  auto p2 = store_->list_jobs(page);
  ASSERT_TRUE(p2.ok());
  ASSERT_EQ(p2->size(), 1u);
  EXPECT_EQ((*p2)[0].id, first.id);

  ASSERT_EQ(claim(1).size(), 1u);  // the oldest job (same priority) starts running
  JobFilter running;
  running.state = JobState::kRunning;
  auto r = store_->list_jobs(running);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].id, first.id);
}

TEST_P(JobsTest, ClaimsByPriorityThenAgeAndMarksJobsRunning) {
  NewJob low = make_job(tenant_a_, 2, "low");
  low.priority = 0;
  Job low_job = create(low);
  NewJob high = make_job(tenant_a_, 2, "high");
  high.priority = 2;
  high.resource = "m1";
  Job high_job = create(high);

  auto claimed = claim(3);
  ASSERT_EQ(claimed.size(), 3u);
  EXPECT_EQ(claimed[0].key, "high0");
  EXPECT_EQ(claimed[1].key, "high1");
  EXPECT_EQ(claimed[2].key, "low0");
  EXPECT_EQ(claimed[0].job_id, high_job.id);
  EXPECT_EQ(claimed[0].workload, "noop");
  EXPECT_EQ(claimed[0].resource, "m1");
  EXPECT_EQ(claimed[0].priority, 2);
  EXPECT_EQ(claimed[0].attempt, 1);
  EXPECT_EQ(claimed[0].max_attempts, 3);
  EXPECT_EQ(claimed[0].input_json, R"({"n":0})");
  EXPECT_FALSE(claimed[0].lease_expires_at.empty());

  Job running = job(high_job.id);
  EXPECT_EQ(running.state, JobState::kRunning);
  EXPECT_TRUE(running.started_at.has_value());
  EXPECT_EQ(running.counts.running, 2);
  EXPECT_EQ(job(low_job.id).counts, (JobCounts{.total = 2, .ready = 1, .running = 1}));
  auto leased = items(high_job.id, ItemState::kLeased);
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(leased[0].lease_owner.value_or(""), "w1");
  EXPECT_EQ(leased[0].attempts, 1);
}

TEST_P(JobsTest, FairShareInterleavesAnotherTenantsSmallJob) {
  Job big = create(make_job(tenant_a_, 500, "a"));
  // A's job has been running for a while when B submits.
  ASSERT_EQ(claim(100).size(), 100u);
  Job small = create(make_job(tenant_b_, 20, "b"));
  auto next = claim(45);
  ASSERT_EQ(next.size(), 45u);
  int b_items = 0;
  for (const ClaimedItem& item : next) b_items += item.job_id == small.id ? 1 : 0;
  // Start-time fair queueing alternates the two tenants: all 20 of B within the next ~40.
  EXPECT_EQ(b_items, 20);
  EXPECT_EQ(job(big.id).counts.running, 125);
}

TEST_P(JobsTest, NewJobOfABusyTenantQueuesBehindItsEarlierWork) {
  Job first = create(make_job(tenant_a_, 30, "a1"));
  Job second = create(make_job(tenant_a_, 5, "a2"));
  auto claimed = claim(30);
  ASSERT_EQ(claimed.size(), 30u);
  for (const ClaimedItem& item : claimed) EXPECT_EQ(item.job_id, first.id) << item.key;
  EXPECT_EQ(claim(10).size(), 5u);
  EXPECT_EQ(job(second.id).counts.running, 5);
}

TEST_P(JobsTest, ClaimCapsLimitItemsPerResourceAndTenant) {
  NewJob m1 = make_job(tenant_a_, 10, "x");
  m1.resource = "m1";
  create(m1);
  NewJob m2 = make_job(tenant_a_, 10, "y");
  m2.resource = "m2";
  create(m2);
  NewJob other = make_job(tenant_b_, 10, "z");
  other.resource = "m2";
  create(other);

  ClaimRequest request;
  request.worker_id = "w";
  request.max_items = 12;
  request.resource_caps = {ResourceCap{"m1", 3}};
  request.tenant_caps = {TenantCap{tenant_b_, 0}};
  auto claimed = store_->claim_items(request);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  int on_m1 = 0;
  for (const ClaimedItem& item : *claimed) {
    EXPECT_NE(item.tenant_id, tenant_b_);
    on_m1 += item.resource == "m1" ? 1 : 0;
  }
  EXPECT_EQ(on_m1, 3);
  EXPECT_EQ(claimed->size(), 12u);

  auto stats = store_->queue_stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  ASSERT_EQ(stats->resources.size(), 2u);
  EXPECT_EQ(stats->resources[0].resource, "m1");
  EXPECT_EQ(stats->resources[0].leased, 3);
  EXPECT_EQ(stats->resources[1].leased, 9);
}

TEST_P(JobsTest, ResultIsRecordedOnceAfterALostLease) {
  Job j = create(make_job(tenant_a_, 1));
  auto first = claim(1, milliseconds(30));
  ASSERT_EQ(first.size(), 1u);
  ReclaimResult reclaimed = reclaim_until(1);
  EXPECT_EQ(reclaimed.reclaimed, 1);
  auto second = claim(1, milliseconds(30000), "w2");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attempt, 2);
  EXPECT_GT(second[0].lease.lease_seq, first[0].lease.lease_seq);

  // The first worker finishes late: refused. The second one's result is recorded.
  SettleResult late = settle({done(first[0], R"({"from":"w1"})")});
  EXPECT_EQ(late.applied, std::vector<bool>{false});
  EXPECT_TRUE(late.drained_jobs.empty());
  SettleResult current = settle({done(second[0], R"({"from":"w2"})", 7)});
  EXPECT_EQ(current.applied, std::vector<bool>{true});
  EXPECT_EQ(current.drained_jobs, std::vector<std::int64_t>{j.id});
  // A repeat of a settled lease changes nothing either.
  EXPECT_EQ(settle({done(second[0], R"({"again":1})")}).applied, std::vector<bool>{false});

  auto done_items = items(j.id, ItemState::kDone);
  ASSERT_EQ(done_items.size(), 1u);
  EXPECT_EQ(done_items[0].result_json.value_or(""), R"({"from":"w2"})");
  EXPECT_EQ(done_items[0].attempts, 2);
  Job after = job(j.id);
  EXPECT_EQ(after.counts.done, 1);
  EXPECT_EQ(after.cost_micros, 7);
  EXPECT_EQ(after.lease_expirations, 1);
}

TEST_P(JobsTest, RetriesThenDeadLettersThenRedrives) {
  NewJob spec = make_job(tenant_a_, 1);
  spec.max_attempts = 2;
  Job j = create(spec);
  auto a1 = claim(1);
  ASSERT_EQ(a1.size(), 1u);
  EXPECT_EQ(settle({failed(a1[0], ItemOutcome::kRetry)}).applied, std::vector<bool>{true});
  EXPECT_EQ(job(j.id).counts, (JobCounts{.total = 1, .retry_wait = 1}));
  EXPECT_EQ(job(j.id).counts.failed(), 1);

  auto a2 = claim(1);  // delay 0: due at once
  ASSERT_EQ(a2.size(), 1u);
  EXPECT_EQ(a2[0].attempt, 2);
  SettleResult last = settle({failed(a2[0], ItemOutcome::kRetry)});
  EXPECT_EQ(last.drained_jobs, std::vector<std::int64_t>{j.id});  // last attempt: dead
  auto dead = items(j.id, ItemState::kDead);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].last_error_code, "upstream_error");
  EXPECT_EQ(dead[0].last_error, "boom 2");
  EXPECT_TRUE(dead[0].finished_at.has_value());

  auto finished = store_->finish_job(j.id);
  ASSERT_TRUE(finished.ok()) << finished.error().message;
  EXPECT_EQ(finished->state, JobState::kFailed);

  auto redriven = store_->redrive_job(tenant_a_, j.id);
  ASSERT_TRUE(redriven.ok()) << redriven.error().message;
  EXPECT_EQ(*redriven, 1);
  Job reopened = job(j.id);
  EXPECT_EQ(reopened.state, JobState::kRunning);
  EXPECT_FALSE(reopened.finished_at.has_value());
  auto a3 = claim(1);
  ASSERT_EQ(a3.size(), 1u);
  EXPECT_EQ(a3[0].attempt, 1);
  EXPECT_EQ(settle({done(a3[0])}).drained_jobs, std::vector<std::int64_t>{j.id});
  auto again = store_->finish_job(j.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, JobState::kSucceeded);
}

TEST_P(JobsTest, RateLimitedDeferralKeepsTheAttempt) {
  NewJob spec = make_job(tenant_a_, 1);
  spec.max_attempts = 1;
  Job j = create(spec);
  for (int round = 0; round < 3; ++round) {
    auto c = claim(1);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].attempt, 1);
    settle({failed(c[0], ItemOutcome::kRateLimited)});
    EXPECT_EQ(items(j.id)[0].state, ItemState::kRetryWait);
    EXPECT_EQ(items(j.id)[0].attempts, 0);
  }
}

TEST_P(JobsTest, RetryWaitsForItsDelay) {
  create(make_job(tenant_a_, 1));
  auto c = claim(1);
  ASSERT_EQ(c.size(), 1u);
  settle({failed(c[0], ItemOutcome::kRetry, milliseconds(60000))});
  EXPECT_TRUE(claim(1).empty());
}

TEST_P(JobsTest, ExpiredLeaseOnTheLastAttemptDeadLetters) {
  NewJob spec = make_job(tenant_a_, 1);
  spec.max_attempts = 1;
  Job j = create(spec);
  ASSERT_EQ(claim(1, milliseconds(20), "crashed").size(), 1u);
  ReclaimResult r = reclaim_until(1);
  EXPECT_EQ(r.dead_lettered, 1);
  EXPECT_EQ(r.drained_jobs, std::vector<std::int64_t>{j.id});
  auto dead = items(j.id, ItemState::kDead);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].last_error_code, "lease_expired");
  EXPECT_NE(dead[0].last_error.find("crashed"), std::string::npos) << dead[0].last_error;
  auto stats = store_->queue_stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->lease_expirations, 1);
}

TEST_P(JobsTest, ExtendedLeasesAreNotReclaimed) {
  create(make_job(tenant_a_, 2));
  auto c = claim(2, milliseconds(200));
  ASSERT_EQ(c.size(), 2u);
  std::vector<ItemLease> leases{c[0].lease, ItemLease{c[1].lease.item_id, 999}};
  auto extended = store_->extend_leases(leases, milliseconds(60000));
  ASSERT_TRUE(extended.ok()) << extended.error().message;
  EXPECT_EQ(*extended, (std::vector<bool>{true, false}));
  ReclaimResult r = reclaim_until(1);  // only the item whose lease was not extended
  EXPECT_EQ(r.reclaimed, 1);
  EXPECT_EQ(settle({done(c[0])}).applied, std::vector<bool>{true});
}

TEST_P(JobsTest, CancelStopsClaimsAndLetsLeasedItemsSettle) {
  Job j = create(make_job(tenant_a_, 3));
  auto c = claim(1);
  ASSERT_EQ(c.size(), 1u);
  auto cancelled = store_->cancel_job(tenant_a_, j.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_FALSE(cancelled->drained);
  EXPECT_TRUE(cancelled->job.cancel_requested);
  EXPECT_EQ(cancelled->job.counts.cancelled, 2);
  EXPECT_TRUE(claim(5).empty());

  EXPECT_EQ(settle({done(c[0])}).drained_jobs, std::vector<std::int64_t>{j.id});
  auto finished = store_->finish_job(j.id);
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->state, JobState::kCancelled);
  EXPECT_EQ(finished->counts, (JobCounts{.total = 3, .done = 1, .cancelled = 2}));
  EXPECT_EQ(store_->redrive_job(tenant_a_, j.id).code(), ErrorCode::kConflict);
  // Cancelling a finished job changes nothing.
  auto again = store_->cancel_job(tenant_a_, j.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->job.state, JobState::kCancelled);
}

TEST_P(JobsTest, CancelOfAnIdleJobIsDrainedAtOnce) {
  Job j = create(make_job(tenant_a_, 2));
  auto cancelled = store_->cancel_job(std::nullopt, j.id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_TRUE(cancelled->drained);
  auto drained = store_->list_drained_jobs(10);
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(*drained, std::vector<std::int64_t>{j.id});
}

TEST_P(JobsTest, ACancelAfterEveryItemSettledStillEndsCancelled) {
  Job j = create(make_job(tenant_a_, 1));
  auto c = claim(1);
  ASSERT_EQ(c.size(), 1u);
  ASSERT_EQ(settle({done(c[0])}).drained_jobs, std::vector<std::int64_t>{j.id});
  auto cancelled = store_->cancel_job(tenant_a_, j.id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_TRUE(cancelled->drained);
  auto finished = store_->finish_job(j.id);
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->state, JobState::kCancelled);
  EXPECT_EQ(finished->counts.done, 1);
}

TEST_P(JobsTest, PositiveTenantCapLimitsOneClaim) {
  create(make_job(tenant_a_, 10, "a"));
  create(make_job(tenant_b_, 10, "b"));
  ClaimRequest request;
  request.worker_id = "w";
  request.max_items = 8;
  request.tenant_caps = {TenantCap{tenant_a_, 2}};
  auto claimed = store_->claim_items(request);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  int of_a = 0;
  for (const ClaimedItem& item : *claimed) of_a += item.tenant_id == tenant_a_ ? 1 : 0;
  EXPECT_EQ(of_a, 2);
  // PostgreSQL ranks a bounded window of candidates, so it may take fewer than allowed.
  EXPECT_GE(claimed->size(), 6u);
  EXPECT_LE(claimed->size(), 8u);
}

TEST_P(JobsTest, FinishRecordsTheFinalState) {
  Job partial = create(make_job(tenant_a_, 2, "p"));
  auto c = claim(2);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(store_->finish_job(partial.id).code(), ErrorCode::kConflict);
  settle({done(c[0]), failed(c[1], ItemOutcome::kDead)});
  auto finished = store_->finish_job(partial.id);
  ASSERT_TRUE(finished.ok()) << finished.error().message;
  EXPECT_EQ(finished->state, JobState::kPartiallySucceeded);
  EXPECT_TRUE(finished->finished_at.has_value());
  EXPECT_EQ(finished->counts.failed(), 1);
  auto drained = store_->list_drained_jobs(10);
  ASSERT_TRUE(drained.ok());
  EXPECT_TRUE(drained->empty());
  // finish_job on a finished job returns it unchanged.
  auto again = store_->finish_job(partial.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->finished_at, finished->finished_at);
}

TEST_P(JobsTest, PausedItemsAreNotClaimedUntilResumed) {
  NewJob held = make_job(tenant_a_, 2);
  held.paused = true;
  Job j = create(held);
  EXPECT_TRUE(job(j.id).paused);
  EXPECT_EQ(job(j.id).counts.paused, 2);
  EXPECT_TRUE(claim(5).empty());
  ASSERT_TRUE(store_->resume_job(j.id).ok());
  EXPECT_EQ(claim(1).size(), 1u);

  ASSERT_TRUE(store_->pause_job(j.id, "disk below floor").ok());
  Job paused = job(j.id);
  EXPECT_EQ(paused.status_message, "disk below floor");
  EXPECT_EQ(paused.counts, (JobCounts{.total = 2, .running = 1, .paused = 1}));
  EXPECT_TRUE(claim(5).empty());
  ASSERT_TRUE(store_->resume_job(j.id).ok());
  EXPECT_EQ(job(j.id).status_message, "");
  EXPECT_EQ(claim(5).size(), 1u);
  EXPECT_EQ(store_->pause_job(424242, "x").code(), ErrorCode::kNotFound);
}

TEST_P(JobsTest, DriverHeldItemsAreLeasedOnlyByTheDriverAndSettleOnce) {
  NewJob held = make_job(tenant_a_, 3);
  held.paused = true;
  Job j = create(held);
  ASSERT_TRUE(store_->pause_job(j.id, "native: waiting").ok());
  EXPECT_TRUE(claim(5).empty());  // the engine never takes a held job's items
  EXPECT_EQ(job(j.id).driver_state, "");

  ASSERT_TRUE(store_->set_job_driver_state(j.id, R"({"parts":[{"id":"b1"}]})").ok());
  Job running = job(j.id);
  EXPECT_EQ(running.driver_state, R"({"parts":[{"id":"b1"}]})");
  EXPECT_EQ(running.state, JobState::kRunning);
  EXPECT_TRUE(running.started_at.has_value());
  EXPECT_TRUE(running.paused);
  EXPECT_EQ(store_->set_job_driver_state(424242, "{}").code(), ErrorCode::kNotFound);

  const std::vector<JobItem> all = items(j.id);
  ASSERT_EQ(all.size(), 3u);
  const std::vector<std::int64_t> first{all[0].id, all[1].id, all[0].id};
  auto leased = store_->claim_held_items(j.id, first, "driver", milliseconds(30000));
  ASSERT_TRUE(leased.ok()) << leased.error().message;
  ASSERT_EQ(leased->size(), 2u);
  EXPECT_EQ((*leased)[0].key, "k0");
  EXPECT_EQ((*leased)[1].key, "k1");
  EXPECT_EQ((*leased)[0].workload, "noop");
  EXPECT_EQ((*leased)[0].attempt, 1);
  // Leased items are not leased again, and an unknown id is skipped.
  const std::vector<std::int64_t> again{all[0].id, 424242};
  auto twice = store_->claim_held_items(j.id, again, "driver", milliseconds(30000));
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE(twice->empty());

  SettleResult settled = settle({done((*leased)[0]), failed((*leased)[1], ItemOutcome::kDead)});
  EXPECT_EQ(settled.applied, (std::vector<bool>{true, true}));
  EXPECT_TRUE(settled.drained_jobs.empty());  // k2 is still held
  EXPECT_EQ(settle({done((*leased)[0])}).applied, (std::vector<bool>{false}));
  EXPECT_EQ(job(j.id).counts, (JobCounts{.total = 3, .done = 1, .dead = 1, .paused = 1}));

  // Handing the rest to the engine: resume makes it claimable; held leases need a paused job.
  ASSERT_TRUE(store_->resume_job(j.id).ok());
  const std::vector<std::int64_t> last{all[2].id};
  auto after_resume = store_->claim_held_items(j.id, last, "driver", milliseconds(30000));
  ASSERT_TRUE(after_resume.ok());
  EXPECT_TRUE(after_resume->empty());
  auto engine = claim(5);
  ASSERT_EQ(engine.size(), 1u);
  EXPECT_EQ(engine[0].key, "k2");
  EXPECT_EQ(settle({done(engine[0])}).drained_jobs, (std::vector<std::int64_t>{j.id}));
}

TEST_P(JobsTest, AnExpiredDriverLeaseReturnsTheItemToHeldNeverToReady) {
  NewJob held = make_job(tenant_a_, 1);
  held.paused = true;
  Job j = create(held);
  const std::vector<std::int64_t> ids{items(j.id)[0].id};
  auto leased = store_->claim_held_items(j.id, ids, "driver", milliseconds(1));
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 1u);
  reclaim_until(1);
  EXPECT_EQ(items(j.id)[0].state, ItemState::kPaused);
  EXPECT_TRUE(claim(5).empty());
  // A cancelled held job gives nothing to lease.
  ASSERT_TRUE(store_->cancel_job(std::nullopt, j.id).ok());
  auto after_cancel = store_->claim_held_items(j.id, ids, "driver", milliseconds(30000));
  ASSERT_TRUE(after_cancel.ok());
  EXPECT_TRUE(after_cancel->empty());
  EXPECT_EQ(items(j.id)[0].state, ItemState::kCancelled);
}

TEST_P(JobsTest, PurgesFinishedJobsOlderThanTheRetention) {
  Job finished = create(make_job(tenant_a_, 2));
  Job active = create(make_job(tenant_a_, 1));
  ASSERT_TRUE(store_->cancel_job(std::nullopt, finished.id).ok());
  ASSERT_TRUE(store_->finish_job(finished.id).ok());

  auto none = store_->purge_finished_jobs("2000-01-01T00:00:00Z", 100);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(*none, 0);
  auto purged = store_->purge_finished_jobs("2999-01-01T00:00:00Z", 100);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(*purged, 1);
  auto gone = store_->get_job(std::nullopt, finished.id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_TRUE(items(finished.id).empty());
  EXPECT_EQ(job(active.id).counts.total, 1);
  EXPECT_EQ(store_->purge_finished_jobs("yesterday", 10).code(), ErrorCode::kInvalidRequest);
}

TEST_P(JobsTest, QueueStatsCountReadyLeasedAndTenants) {
  NewJob high = make_job(tenant_a_, 3, "h");
  high.priority = 2;
  create(high);
  create(make_job(tenant_b_, 4, "n"));
  ASSERT_EQ(claim(2).size(), 2u);
  auto stats = store_->queue_stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  ASSERT_EQ(stats->priorities.size(), 2u);
  EXPECT_EQ(stats->priorities[0].priority, 2);
  EXPECT_EQ(stats->priorities[0].ready, 1);
  EXPECT_TRUE(stats->priorities[0].oldest_ready_at.has_value());
  EXPECT_EQ(stats->priorities[1].ready, 4);
  ASSERT_EQ(stats->tenants.size(), 2u);
  EXPECT_EQ(stats->tenants[0].tenant_id, tenant_a_);
  EXPECT_EQ(stats->tenants[0].running_jobs, 1);
  EXPECT_EQ(stats->tenants[0].leased_items, 2);
  EXPECT_EQ(stats->tenants[1].active_jobs, 1);
  EXPECT_EQ(stats->tenants[1].ready_items, 4);
}

TEST_P(JobsTest, ConcurrentWorkersNeverClaimTheSameItem) {
  constexpr int kItems = 10000;
  Job j = create(make_job(tenant_a_, kItems));
  std::vector<std::unique_ptr<Store>> stores;  // two "processes", two threads each
  stores.push_back(open_another(2));
  stores.push_back(open_another(2));
  std::mutex mutex;
  std::set<std::int64_t> seen;
  std::atomic<int> duplicates{0}, refused{0}, drained_reports{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    Store* store = stores[static_cast<std::size_t>(t % 2)].get();
    threads.emplace_back([&, store, t] {
      ClaimRequest request;
      request.worker_id = "w" + std::to_string(t);
      request.max_items = 100;
      while (true) {
        auto claimed = store->claim_items(request);
        ASSERT_TRUE(claimed.ok()) << claimed.error().message;
        if (claimed->empty()) return;
        std::vector<ItemSettlement> settlements;
        {
          std::lock_guard lock(mutex);
          for (const ClaimedItem& item : *claimed) {
            if (!seen.insert(item.lease.item_id).second) ++duplicates;
            settlements.push_back(done(item));
          }
        }
        auto settled = store->settle_items(settlements);
        ASSERT_TRUE(settled.ok()) << settled.error().message;
        for (bool applied : settled->applied) refused += applied ? 0 : 1;
        drained_reports += static_cast<int>(settled->drained_jobs.size());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(duplicates.load(), 0);
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kItems));
  EXPECT_GE(drained_reports.load(), 1);
  EXPECT_EQ(job(j.id).counts, (JobCounts{.total = kItems, .done = kItems}));
  for (auto& store : stores) EXPECT_TRUE(store->close().ok());
}

TEST_P(JobsTest, ListenerWakesOnNewWorkAndOnWake) {
  auto listener = store_->listen(Store::kJobsChannel);
  ASSERT_TRUE(listener.ok()) << listener.error().message;
  std::atomic<bool> notified{false};
  std::thread waiter([&] {
    auto got = (*listener)->wait_for_notify(milliseconds(20000));
    ASSERT_TRUE(got.ok()) << got.error().message;
    notified = *got;
  });
  create(make_job(tenant_a_, 1));
  waiter.join();
  EXPECT_TRUE(notified.load());

  (*listener)->wake();
  const auto start = std::chrono::steady_clock::now();
  auto woken = (*listener)->wait_for_notify(milliseconds(20000));
  ASSERT_TRUE(woken.ok());
  EXPECT_FALSE(*woken);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));

  ASSERT_TRUE(store_->notify("custom_channel").ok());
  auto quiet = (*listener)->wait_for_notify(milliseconds(50));
  ASSERT_TRUE(quiet.ok());
  EXPECT_FALSE(*quiet);  // another channel
}

TEST_P(JobsTest, ItemsLeasedDuringCancelOrPauseDoNotGoBackToTheQueue) {
  Job cancelled = create(make_job(tenant_a_, 2, "c"));
  Job paused = create(make_job(tenant_b_, 2, "p"));
  auto c = claim(4, milliseconds(30));
  ASSERT_EQ(c.size(), 4u);
  ASSERT_TRUE(store_->cancel_job(std::nullopt, cancelled.id).ok());
  ASSERT_TRUE(store_->pause_job(paused.id, "hold").ok());
  // One item of each job fails and would retry; the other's lease expires.
  std::vector<ItemSettlement> failures;
  for (const ClaimedItem& item : c) {
    if (item.key == "c0" || item.key == "p0") failures.push_back(failed(item, ItemOutcome::kRetry));
  }
  EXPECT_EQ(settle(failures).applied, (std::vector<bool>{true, true}));
  ReclaimResult r = reclaim_until(2);
  EXPECT_EQ(r.reclaimed + r.dead_lettered, 2);
  EXPECT_EQ(job(cancelled.id).counts, (JobCounts{.total = 2, .cancelled = 2}));
  EXPECT_EQ(job(paused.id).counts, (JobCounts{.total = 2, .paused = 2}));
  EXPECT_TRUE(claim(10).empty());
  ASSERT_TRUE(store_->resume_job(paused.id).ok());
  EXPECT_EQ(claim(10).size(), 2u);
}

TEST_P(JobsTest, NotificationsReachAListenerOfAnotherStoreInstance) {
  if (GetParam().name == "sqlite") GTEST_SKIP() << "SQLite notifications are in-process only";
  auto listener = store_->listen(Store::kJobsChannel);
  ASSERT_TRUE(listener.ok()) << listener.error().message;
  std::unique_ptr<Store> other = open_another(2);
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->create_job(make_job(tenant_a_, 1)).ok());
  auto got = (*listener)->wait_for_notify(milliseconds(20000));
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(*got);
  EXPECT_TRUE(other->close().ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, JobsTest, ::testing::ValuesIn(store_backends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace osprey::store::testing
