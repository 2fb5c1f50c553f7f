// ModelRouter::chat: balancing, retries, breakers, fallbacks, cancellation, over fake providers.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "unit/router/router_fixture.h"

namespace osprey::router::testing {
namespace {

using std::chrono::seconds;

class ModelRouterChat : public RouterFixture {};

TEST_F(ModelRouterChat, UnknownModelIsNotFound) {
  load({model("m", {deployment("a")})});
  auto r = chat("nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "model 'nope' does not exist");
  EXPECT_EQ(backend.order().size(), 0u);
  // A long name is not echoed back whole.
  auto long_name = chat(std::string(100000, 'x'));
  ASSERT_FALSE(long_name.ok());
  EXPECT_EQ(long_name.error().message, "model '<100000 bytes>' does not exist");
}

TEST_F(ModelRouterChat, AnswersFromADeploymentAndCountsIt) {
  load({model("m", {deployment("a")})});
  auto r = chat("m");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(providers::response_text(r->response), "answer from a");
  EXPECT_EQ(r->model, "m");
  EXPECT_EQ(r->deployment, "a");
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(counter("osprey_upstream_requests_total", {"model", "deployment", "outcome"},
                    {"m", "a", "success"}),
            1);
  EXPECT_EQ(counter("osprey_upstream_tokens_total", {"model", "deployment", "direction"},
                    {"m", "a", "in"}),
            3);
  EXPECT_EQ(counter("osprey_upstream_tokens_total", {"model", "deployment", "direction"},
                    {"m", "a", "out"}),
            5);
}

TEST_F(ModelRouterChat, SequentialTrafficSplitsByWeight) {
  load({model("m", {deployment("heavy", {{"weight", 3}}), deployment("light")})});
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(chat("m").ok());
  // 3:1 weights at equal load: 300 / 100 expected; wide bounds keep the check about the split.
  EXPECT_GT(backend.calls("heavy"), 250);
  EXPECT_LT(backend.calls("heavy"), 350);
  EXPECT_EQ(backend.calls("heavy") + backend.calls("light"), 400);
}

TEST_F(ModelRouterChat, LeastOutstandingDeploymentWins) {
  load({model("m", {deployment("a"), deployment("b")})});
  Outcome held;
  held.hold = true;
  backend.next(held);
  std::optional<providers::UpstreamResult<RoutedResponse>> slow;
  spawn(router->chat(request("m"), context()), slow);
  while (backend.holding() == 0 && io.run_one() > 0) {
  }
  const std::string busy = backend.order().front();
  const std::string idle = busy == "a" ? "b" : "a";
  // While one request is in flight on `busy`, every new one goes to the idle deployment.
  int served_by_idle = 0;
  for (int i = 0; i < 20; ++i) {
    std::optional<providers::UpstreamResult<RoutedResponse>> r;
    spawn(router->chat(request("m"), context()), r);
    run_until(r);
    ASSERT_TRUE(r->ok());
    if ((*r)->deployment == idle) ++served_by_idle;
  }
  EXPECT_EQ(served_by_idle, 20);
  backend.release();
  run_until(slow);
  ASSERT_TRUE(slow->ok());
  EXPECT_EQ((*slow)->deployment, busy);
}

TEST_F(ModelRouterChat, RetriesA500OnTheOtherDeployment) {
  load({model("m", {deployment("a"), deployment("b")},
              {{"retry", {{"base_delay_ms", 100}, {"max_delay_ms", 100}}}})});
  backend.next(Outcome{http_error(500)});
  auto r = chat("m");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->attempts, 2);
  ASSERT_EQ(backend.order().size(), 2u);
  EXPECT_NE(backend.order()[0], backend.order()[1]);  // the failed deployment was avoided
  EXPECT_EQ(r->deployment, backend.order()[1]);
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_LE(sleeps[0].count(), 100);  // full jitter within base_delay
  EXPECT_EQ(counter("osprey_router_retries_total", {"model", "reason"}, {"m", "upstream_error"}),
            1);
  EXPECT_EQ(counter("osprey_upstream_errors_total", {"model", "deployment", "code"},
                    {"m", backend.order()[0], "upstream_error"}),
            1);
}

TEST_F(ModelRouterChat, RetryAfterIsAFloorOnTheDelay) {
  load({model("m", {deployment("a")}, {{"retry", {{"base_delay_ms", 10}, {"max_delay_ms", 10}}}})});
  backend.next(Outcome{http_error(429, milliseconds(1500))});
  auto r = chat("m");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->attempts, 2);
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_EQ(sleeps[0], milliseconds(1500));
}

TEST_F(ModelRouterChat, RetryAfterBeyondTheDeadlineIsNotWaitedFor) {
  load({model("m", {deployment("a")}, {{"retry", {{"total_deadline_ms", 1000}}}})});
  backend.next(Outcome{http_error(429, milliseconds(5000))});
  auto r = chat("m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamRateLimited);  // the upstream's own answer
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(backend.calls("a"), 1);
}

TEST_F(ModelRouterChat, TotalDeadlineBoundsTheRetries) {
  load({model("m", {deployment("a")},
              {{"retry", {{"max_attempts", 10}, {"total_deadline_ms", 1000}}},
               {"breaker", {{"consecutive_failures", 0}, {"error_rate", 0}}}})});
  const auto start = clock.now();
  for (int i = 0; i < 10; ++i) {
    Outcome slow_failure{http_error(503)};
    slow_failure.on_call = [this] { clock.advance(milliseconds(400)); };
    backend.next(slow_failure);
  }
  auto r = chat("m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 503);
  // Attempts start at 0, 400 and 800 ms; at 1200 ms the deadline has passed.
  EXPECT_EQ(backend.calls("a"), 3);
  EXPECT_LE(clock.now() - start, milliseconds(1200));
}

TEST_F(ModelRouterChat, InvalidRequestIsReturnedAtOnceWithoutFallback) {
  load({model("m", {deployment("a"), deployment("b")}, {{"fallbacks", {"other"}}}),
        model("other", {deployment("c")})});
  backend.next(Outcome{http_error(400)});
  auto r = chat("m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(backend.order().size(), 1u);
  EXPECT_EQ(backend.calls("c"), 0);
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(counter("osprey_upstream_requests_total", {"model", "deployment", "outcome"},
                    {"m", backend.order()[0], "invalid_request"}),
            1);
}

TEST_F(ModelRouterChat, AuthErrorMovesToAnotherDeploymentWithoutBackoff) {
  load({model("m", {deployment("a"), deployment("b")})});
  backend.set_down("a", http_error(401));
  for (int i = 0; i < 10; ++i) {
    auto r = chat("m");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->deployment, "b");
  }
  EXPECT_GE(backend.calls("a"), 1);  // it was tried, and counted as failing
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(counter("osprey_router_retries_total", {"model", "reason"}, {"m", "deployment_fault"}),
            backend.calls("a"));
}

TEST_F(ModelRouterChat, BreakerStopsTrafficToADeadDeploymentAndHalfOpenReadmitsIt) {
  load({model("m", {deployment("a"), deployment("b")},
              {{"breaker",
                {{"consecutive_failures", 3}, {"open_ms", 5000}, {"half_open_max_calls", 1}}}})});
  backend.set_down("a", http_error(502));
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(chat("m").ok());
  EXPECT_EQ(backend.calls("a"), 3);  // then the breaker opened
  EXPECT_EQ(gauge("osprey_deployment_circuit_state", "a"), 2);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(chat("m").ok());
  EXPECT_EQ(backend.calls("a"), 3);  // no traffic while open

  backend.set_down("a", std::nullopt);  // a recovers
  clock.advance(seconds(5));            // cool-down over: a trial is allowed
  int a_before = backend.calls("a");
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(chat("m").ok());
  EXPECT_GT(backend.calls("a"), a_before + 1);  // the trial succeeded and closed the breaker
  EXPECT_EQ(gauge("osprey_deployment_circuit_state", "a"), 0);
}

TEST_F(ModelRouterChat, FallbackModelAnswersWhenEveryDeploymentFails) {
  load({model("primary", {deployment("a"), deployment("b")}, {{"fallbacks", {"backup"}}}),
        model("backup", {deployment("c")})});
  backend.set_down("a", http_error(500));
  backend.set_down("b", http_error(503));
  auto r = chat("primary");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->model, "backup");
  EXPECT_EQ(r->deployment, "c");
  EXPECT_EQ(r->attempts, 4);  // three on primary (max_attempts), one on backup
  EXPECT_EQ(backend.calls("c"), 1);
  EXPECT_EQ(counter("osprey_router_fallbacks_total", {"from", "to"}, {"primary", "backup"}), 1);
}

TEST_F(ModelRouterChat, LastUpstreamErrorWhenEverythingFails) {
  load({model("m", {deployment("a")}, {{"fallbacks", {"n"}}}), model("n", {deployment("b")})});
  backend.set_down("a", http_error(500));
  backend.set_down("b", http_error(502));
  auto r = chat("m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 502);
  EXPECT_EQ(backend.calls("a"), 3);
  EXPECT_EQ(backend.calls("b"), 3);
}

TEST_F(ModelRouterChat, NoHealthyUpstreamWhenNothingCanBeTried) {
  load({model("m", {deployment("a")}, {{"breaker", {{"consecutive_failures", 1}}}})});
  backend.set_down("a", http_error(500));
  auto first = chat("m");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().http_status, 500);
  EXPECT_EQ(backend.calls("a"), 1);  // the breaker opened on the first failure
  auto second = chat("m");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kNoHealthyUpstream);
  EXPECT_EQ(backend.calls("a"), 1);
}

TEST_F(ModelRouterChat, FullDeploymentCountsAsUnavailable) {
  load({model("m", {deployment("a", {{"max_concurrent", 1}})}, {{"fallbacks", {"n"}}}),
        model("n", {deployment("b")})});
  Outcome held;
  held.hold = true;
  backend.next(held);
  std::optional<providers::UpstreamResult<RoutedResponse>> slow;
  spawn(router->chat(request("m"), context()), slow);
  while (backend.holding() == 0 && io.run_one() > 0) {
  }
  std::optional<providers::UpstreamResult<RoutedResponse>> second;
  spawn(router->chat(request("m"), context()), second);
  run_until(second);
  ASSERT_TRUE(second->ok());
  EXPECT_EQ((*second)->deployment, "b");
  EXPECT_EQ(backend.calls("a"), 1);
  backend.release();
  run_until(slow);
  ASSERT_TRUE(slow->ok());
  EXPECT_EQ((*slow)->deployment, "a");
}

TEST_F(ModelRouterChat, CancellationDuringAnAttemptStopsTheLoop) {
  load({model("m", {deployment("a"), deployment("b")}, {{"fallbacks", {"n"}}}),
        model("n", {deployment("c")})});
  providers::CallContext ctx = context();
  Outcome cut{http_error(503)};
  cut.on_call = [token = ctx.cancel] { token->cancel(); };
  backend.next(cut);
  auto r = run(router->chat(request("m"), ctx));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClientClosed);
  EXPECT_EQ(backend.order().size(), 1u);
  EXPECT_TRUE(sleeps.empty());
}

TEST_F(ModelRouterChat, CancelledBeforeStartCallsNoUpstream) {
  load({model("m", {deployment("a")})});
  providers::CallContext ctx = context();
  ctx.cancel->cancel();
  auto r = run(router->chat(request("m"), ctx));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClientClosed);
  EXPECT_EQ(backend.calls("a"), 0);
}

TEST_F(ModelRouterChat, CancellationDuringBackoffStopsTheLoop) {
  load({model("m", {deployment("a")},
              {{"retry", {{"base_delay_ms", 1000}, {"max_delay_ms", 1000}}}})});
  providers::CallContext ctx = context();
  on_sleep = [token = ctx.cancel] { token->cancel(); };
  backend.next(Outcome{http_error(429, milliseconds(500))});
  auto r = run(router->chat(request("m"), ctx));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClientClosed);
  EXPECT_EQ(backend.calls("a"), 1);
  EXPECT_EQ(sleeps.size(), 1u);
}

}  // namespace
}  // namespace osprey::router::testing
