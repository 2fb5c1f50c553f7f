#include "jobs/noop_workload.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace osprey::jobs {
namespace {

using nlohmann::json;

WorkItem item_of(const json& spec, std::string key, int attempt = 1) {
  WorkItem item;
  item.job_id = 1;
  item.key = std::move(key);
  item.spec = &spec;
  item.attempt = attempt;
  return item;
}

TEST(NoopWorkload, RejectsBadSpecsNamingTheField) {
  NoopWorkload w(100);
  EXPECT_EQ(w.validate(json::array()).error().message, "spec: must be an object");
  EXPECT_EQ(w.validate(json::object()).error().message, "spec: give exactly one of count or items");
  EXPECT_EQ(w.validate({{"count", 0}}).error().message,
            "spec.count: must be an integer in [1, 100]");
  EXPECT_EQ(w.validate({{"count", 101}}).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(w.validate({{"count", 3}, {"delay_ms", -1}}).error().message,
            "spec.delay_ms: must be an integer in [0, 3600000]");
  EXPECT_EQ(w.validate({{"items", json::array({{{"key", "a"}}, {{"key", "a"}}})}}).error().message,
            "spec.items[1].key: duplicate key \"a\"");
  EXPECT_TRUE(w.validate({{"count", 3}, {"delay_ms", 5}}).ok());
}

TEST(NoopWorkload, PlansStableZeroPaddedKeys) {
  NoopWorkload w(1000);
  auto items = w.plan({{"count", 12}});
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 12u);
  EXPECT_EQ(items->front().key, "item-00");
  EXPECT_EQ(items->back().key, "item-11");
  EXPECT_EQ(items->back().input, 11);
}

TEST(NoopWorkload, FailureKnobsGiveTheirOutcomes) {
  NoopWorkload w(10);
  const json spec = {{"count", 3},
                     {"fail_attempts", 2},
                     {"permanent_fail_keys", {"item-2"}},
                     {"fail_keys", {"item-1"}}};
  RunContext ctx;
  EXPECT_EQ(w.run(item_of(spec, "item-0", 1), ctx).outcome, Outcome::kRetryable);
  EXPECT_EQ(w.run(item_of(spec, "item-0", 2), ctx).outcome, Outcome::kRetryable);
  ItemResult ok = w.run(item_of(spec, "item-0", 3), ctx);
  EXPECT_EQ(ok.outcome, Outcome::kSuccess);
  EXPECT_EQ(ok.output["key"], "item-0");
  EXPECT_EQ(w.run(item_of(spec, "item-1", 5), ctx).outcome, Outcome::kRetryable);
  EXPECT_EQ(w.run(item_of(spec, "item-2", 5), ctx).outcome, Outcome::kPermanent);
}

TEST(NoopWorkload, ReportsConcurrencyPerResource) {
  NoopWorkload w(10);
  const json spec = {{"count", 4}, {"delay_ms", 200}, {"resource", "model-x"}};
  const json other = {{"count", 4}, {"resource", "model-y"}};
  EXPECT_EQ(w.resource_key(spec), "model-x");
  std::vector<ItemResult> results(3);
  std::vector<std::thread> threads;
  RunContext ctx;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] { results[i] = w.run(item_of(spec, std::to_string(i)), ctx); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // Another resource does not count towards model-x.
  EXPECT_EQ(w.run(item_of(other, "y"), ctx).output["concurrency"], 1);
  for (auto& t : threads) t.join();
  int max_seen = 0;
  for (const auto& r : results) max_seen = std::max(max_seen, r.output["concurrency"].get<int>());
  EXPECT_EQ(max_seen, 3);
}

}  // namespace
}  // namespace osprey::jobs
