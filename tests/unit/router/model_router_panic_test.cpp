// Panic mode: when health checks mark every deployment of a model unhealthy and no fallback can
// be called, the router tries the deployments anyway (breakers still apply).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/router/router_fixture.h"

namespace osprey::router::testing {
namespace {

class ModelRouterPanic : public RouterFixture {
 protected:
  // Health checks on; one failed probe marks a deployment unhealthy.
  static json checked(json extra = json::object()) {
    json m = {{"health", {{"enabled", true}, {"interval_ms", 1000}, {"unhealthy_threshold", 1}}}};
    m.update(extra);
    return m;
  }
  // One round of probes (every deployment is due right after load).
  void probe_once() { run_health_rounds(1, nullptr); }
  double panics(const std::string& model_name) {
    return counter("osprey_router_panic_total", {"model"}, {model_name});
  }
};

TEST_F(ModelRouterPanic, AllUnhealthyAreTriedAnyway) {
  load({model("m", {deployment("a"), deployment("b")}, checked())});
  backend.set_probe_ok("a", false);
  backend.set_probe_ok("b", false);
  probe_once();
  ASSERT_EQ(gauge("osprey_deployment_healthy", "a"), 0);
  ASSERT_EQ(gauge("osprey_deployment_healthy", "b"), 0);
  for (int i = 0; i < 4; ++i) {
    auto r = chat("m");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->deployment == "a" || r->deployment == "b") << r->deployment;
  }
  EXPECT_EQ(backend.calls("a") + backend.calls("b"), 4);
  EXPECT_EQ(panics("m"), 4);
}

TEST_F(ModelRouterPanic, PanicRetriesWithinTheModel) {
  load({model("m", {deployment("a"), deployment("b")}, checked())});
  backend.set_probe_ok("a", false);
  backend.set_probe_ok("b", false);
  probe_once();
  backend.next(Outcome{http_error(503)});  // the first panic attempt fails; the retry works
  auto r = chat("m");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(backend.calls("a") + backend.calls("b"), 2);
  EXPECT_EQ(panics("m"), 1);  // counted once per request
}

TEST_F(ModelRouterPanic, SomeHealthyRoutesNormally) {
  load({model("m", {deployment("a"), deployment("b")}, checked())});
  backend.set_probe_ok("a", false);
  probe_once();
  for (int i = 0; i < 10; ++i) {
    auto r = chat("m");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->deployment, "b");
  }
  EXPECT_EQ(backend.calls("a"), 0);
  EXPECT_EQ(panics("m"), 0);
}

TEST_F(ModelRouterPanic, AvailableFallbackComesBeforePanic) {
  load({model("m", {deployment("a")}, checked({{"fallbacks", {"n"}}})),
        model("n", {deployment("b")})});
  backend.set_probe_ok("a", false);
  probe_once();
  auto r = chat("m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deployment, "b");
  EXPECT_EQ(backend.calls("a"), 0);
  EXPECT_EQ(panics("m"), 0);
}

TEST_F(ModelRouterPanic, RequestedModelPanicsWhenItsFallbackIsUnhealthyToo) {
  load({model("m", {deployment("a")}, checked({{"fallbacks", {"n"}}})),
        model("n", {deployment("b")}, checked())});
  backend.set_probe_ok("a", false);
  backend.set_probe_ok("b", false);
  probe_once();
  auto r = chat("m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deployment, "a");
  EXPECT_EQ(panics("m"), 1);
  EXPECT_EQ(panics("n"), 0);
}

TEST_F(ModelRouterPanic, AllBreakersOpenIsStillRefused) {
  load({model("m", {deployment("a"), deployment("b")},
              {{"breaker", {{"consecutive_failures", 1}, {"open_ms", 60000}}}})});
  backend.set_down("a", http_error(500));
  backend.set_down("b", http_error(500));
  ASSERT_FALSE(chat("m").ok());  // opens both breakers (one attempt each, plus a retry)
  const int calls = backend.calls("a") + backend.calls("b");
  auto r = chat("m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNoHealthyUpstream);
  EXPECT_EQ(backend.calls("a") + backend.calls("b"), calls);
  EXPECT_EQ(panics("m"), 0);
}

TEST_F(ModelRouterPanic, UnhealthyAndBreakerOpenIsStillRefused) {
  load({model("m", {deployment("a")},
              checked({{"breaker", {{"consecutive_failures", 1}, {"open_ms", 60000}}}}))});
  backend.set_down("a", http_error(500));
  ASSERT_FALSE(chat("m").ok());  // opens the breaker
  backend.set_probe_ok("a", false);
  probe_once();
  auto r = chat("m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNoHealthyUpstream);
  EXPECT_EQ(backend.calls("a"), 1);
  EXPECT_EQ(panics("m"), 0);
}

TEST_F(ModelRouterPanic, DisabledPanicRefuses) {
  load({model("m", {deployment("a")}, checked({{"panic", false}}))});
  backend.set_probe_ok("a", false);
  probe_once();
  auto r = chat("m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNoHealthyUpstream);
  EXPECT_EQ(backend.calls("a"), 0);
  EXPECT_EQ(panics("m"), 0);
}

}  // namespace
}  // namespace osprey::router::testing
