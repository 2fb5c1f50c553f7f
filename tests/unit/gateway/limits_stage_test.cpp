// The limits stage as the chat route uses it: open an account, admit (rate limits, budget),
// close with the outcome; checks the ledger row, the settled spend and the refunded tokens.
#include "gateway/limits/limits_stage.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "core/clock.h"
#include "unit/gateway/temp_store.h"

namespace osprey::gateway {
namespace {

providers::ChatRequest chat(std::string model, std::string text, std::int64_t max_tokens) {
  providers::ChatRequest r;
  r.model = std::move(model);
  providers::Message m;
  m.content.push_back(providers::TextBlock{std::move(text)});
  r.messages.push_back(std::move(m));
  r.inference.max_tokens = max_tokens;
  return r;
}

class LimitsStageTest : public ::testing::Test {
 protected:
  LimitsStageTest() {
    nlohmann::json sections = {
        {"pricing",
         {{"models", {{"gpt", {{"input_usd_per_million", 1}, {"output_usd_per_million", 2}}}}}}}};
    prices_ = parse_price_table(sections).value();
    ledger_.start();
    stage_ = std::make_unique<LimitsStage>(LimitsStageDeps{.config = {},
                                                           .prices = prices_,
                                                           .buckets = buckets_,
                                                           .concurrency = concurrency_,
                                                           .budget = budget_,
                                                           .workers = workers_,
                                                           .ledger = ledger_,
                                                           .clock = clock_,
                                                           .metrics = metrics_});
  }

  Principal principal(UsagePlan plan) {
    Principal p;
    p.tenant_id = tenant_;
    p.tenant_name = "acme";
    p.key_id = 3;
    p.key_prefix = "osp_k";
    p.plan = plan;
    return p;
  }

  std::optional<Error> admit(RequestAccount& account, const providers::ChatRequest& request) {
    std::optional<Error> out;
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io, [&]() -> net::Task<void> { out = co_await stage_->admit(account, request); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run();
    return out;
  }

  // Every ledger row so far, via the per-tenant aggregate (one tenant).
  store::UsageAggregate ledger_total() {
    workers_.join();  // settlements done
    ledger_.flush();
    auto groups = store_->aggregate_usage({}, store::UsageGroupBy::kTenant);
    EXPECT_TRUE(groups.ok());
    if (!groups.ok() || groups->empty()) return {};
    return (*groups)[0];
  }
  store::SpendCounter spend() {
    return store_->get_spend(tenant_, BudgetStage::utc_month(clock_.wall_now())).value();
  }

  testing::TempStore store_;
  std::int64_t tenant_ = store_.tenant("acme");
  ManualClock clock_;
  metrics::Registry metrics_;
  TokenBucketMap buckets_{clock_};
  ConcurrencyLimiter concurrency_;
  BudgetStage budget_{*store_, clock_, metrics_, 0.8};
  net::WorkerPool workers_{2};
  UsageLedger ledger_{*store_, metrics_, {.flush_interval = std::chrono::hours(1)}};
  PriceTable prices_;
  std::unique_ptr<LimitsStage> stage_;
};

TEST_F(LimitsStageTest, ServedRequestRecordsRealUsageAndCost) {
  auto account = stage_->open(principal({}));
  ASSERT_FALSE(admit(*account, chat("gpt", "hello", 10)));
  clock_.advance(std::chrono::milliseconds(42));
  account->set_answer("gpt", "gpt@a");
  account->set_usage(100, 50);
  account->finish(200);
  account->finish(500);  // closed once
  const store::UsageAggregate total = ledger_total();
  EXPECT_EQ(total.requests, 1);
  EXPECT_EQ(total.tokens_in, 100);
  EXPECT_EQ(total.tokens_out, 50);
  EXPECT_EQ(total.cost_micros, 100 * 1 + 50 * 2);
  EXPECT_EQ(total.cache_hits, 0);
}

// The ledger refuses NUL bytes: a client-chosen model name with one is recorded with '?' in its
// place, and the row is written (names without one are recorded as they are).
TEST_F(LimitsStageTest, NulBytesInTheModelNameBecomeQuestionMarks) {
  for (const std::string& model : {std::string("gpt\0x\0", 6), std::string("plain-model")}) {
    auto account = stage_->open(principal({}));
    ASSERT_FALSE(admit(*account, chat(model, "hello", 10)));
    account->set_usage(1, 1);
    account->finish(200);
  }
  workers_.join();
  ledger_.flush();
  auto groups = store_->aggregate_usage({}, store::UsageGroupBy::kModel);
  ASSERT_TRUE(groups.ok()) << groups.error().message;
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].group, "gpt?x?");
  EXPECT_EQ((*groups)[1].group, "plain-model");
}

TEST_F(LimitsStageTest, RefusedRequestIsRecordedWithItsStatusAndHeaders) {
  UsagePlan plan;
  plan.requests_per_second = 1;
  const Principal p = principal(plan);
  auto first = stage_->open(p);
  ASSERT_FALSE(admit(*first, chat("gpt", "hi", 1)));
  first->finish(200);
  auto second = stage_->open(p);
  std::optional<Error> refused = admit(*second, chat("gpt", "hi", 1));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, ErrorCode::kRateLimited);
  net::Headers headers;
  LimitsStage::add_headers(*second, headers);
  EXPECT_EQ(headers.get("retry-after"), "1");
  EXPECT_EQ(headers.get("x-ratelimit-limit-requests"), "1");
  second->finish(429);
  EXPECT_EQ(ledger_total().requests, 2);
  EXPECT_EQ(
      metrics_.counter("osprey_rate_limited_total", "", {"reason"}).with({"requests"}).value(), 1);
}

TEST_F(LimitsStageTest, BudgetIsReservedFromTheEstimateAndSettledWithTheRealCost) {
  UsagePlan plan;
  plan.monthly_budget_micros = 1000;
  const Principal p = principal(plan);
  // Estimate: ceil(8 / 4) + 4 = 6 prompt tokens, 100 output tokens → 6 + 200 = 206 micro-USD.
  auto a = stage_->open(p);
  ASSERT_FALSE(admit(*a, chat("gpt", "12345678", 100)));
  EXPECT_EQ(spend().reserved_micros, 206);
  auto b = stage_->open(p);
  ASSERT_FALSE(admit(*b, chat("gpt", "12345678", 390)));  // 6 + 780 = 786: 992 in total
  auto c = stage_->open(p);
  std::optional<Error> refused = admit(*c, chat("gpt", "12345678", 2));  // 10 more: over
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, ErrorCode::kBudgetExceeded);
  c->finish(429);
  a->set_usage(10, 20);
  a->finish(200);
  b->finish(502);  // failed upstream: nothing spent
  ledger_total();
  EXPECT_EQ(spend().reserved_micros, 0);
  EXPECT_EQ(spend().spent_micros, 50);
}

TEST_F(LimitsStageTest, CacheHitCostsNothingAndGivesTheTokensBack) {
  UsagePlan plan;
  plan.tokens_per_minute = 1000;
  const Principal p = principal(plan);
  auto account = stage_->open(p);
  ASSERT_FALSE(admit(*account, chat("gpt", "hello", 100)));
  account->set_cache_hit(true);
  account->set_usage(30, 40);
  account->finish(200);
  const store::UsageAggregate total = ledger_total();
  EXPECT_EQ(total.cache_hits, 1);
  EXPECT_EQ(total.cost_micros, 0);
  EXPECT_EQ(total.tokens_in, 30);
  EXPECT_NEAR(buckets_.remaining("tok:3", *RateLimitStage::tokens_limit(plan)).value(), 1000, 1e-6);
}

TEST_F(LimitsStageTest, AbandonedAccountIsRecordedAsClientClosed) {
  UsagePlan plan;
  plan.max_concurrent = 1;
  {
    auto account = stage_->open(principal(plan));
    ASSERT_FALSE(admit(*account, chat("gpt", "hello", 1)));
    EXPECT_EQ(concurrency_.in_flight(3), 1);
  }
  EXPECT_EQ(concurrency_.in_flight(3), 0);
  EXPECT_EQ(ledger_total().requests, 1);
}

}  // namespace
}  // namespace osprey::gateway
