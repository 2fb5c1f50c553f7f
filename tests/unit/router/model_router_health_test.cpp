// ModelRouter::run_health_checks: probes mark deployments unhealthy and healthy again.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/router/router_fixture.h"

namespace osprey::router::testing {
namespace {

class ModelRouterHealth : public RouterFixture {
 protected:
  void run_rounds(int rounds, std::function<void(int)> after_round) {
    run_health_rounds(rounds, std::move(after_round));
  }

  json health(int interval_ms) {
    return {{"health",
             {{"enabled", true},
              {"interval_ms", interval_ms},
              {"healthy_threshold", 2},
              {"unhealthy_threshold", 2}}}};
  }
};

TEST_F(ModelRouterHealth, MarksUnhealthyAfterThresholdAndHealthyAgain) {
  load({model("m", {deployment("a"), deployment("b")}, health(1000))});
  backend.set_probe_ok("a", false);
  std::vector<double> a_healthy;
  run_rounds(4, [&](int round) {
    a_healthy.push_back(gauge("osprey_deployment_healthy", "a"));
    if (round == 2) backend.set_probe_ok("a", true);
  });
  // Probes: fail (still healthy), fail (unhealthy), ok (still unhealthy), ok (healthy).
  EXPECT_EQ(a_healthy, (std::vector<double>{1, 0, 0, 1}));
  EXPECT_EQ(backend.probes("a"), 4);
  EXPECT_EQ(backend.probes("b"), 4);
  EXPECT_EQ(backend.order().size(), 0u);  // probes never go through chat
  ASSERT_EQ(sleeps.size(), 4u);
  EXPECT_EQ(sleeps[0], milliseconds(1000));  // respects the interval
}

TEST_F(ModelRouterHealth, UnhealthyDeploymentGetsNoTraffic) {
  load({model("m", {deployment("a"), deployment("b")}, health(500))});
  backend.set_probe_ok("a", false);
  run_rounds(2, nullptr);
  for (int i = 0; i < 20; ++i) {
    auto r = chat("m");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->deployment, "b");
  }
  EXPECT_EQ(backend.calls("a"), 0);
}

TEST_F(ModelRouterHealth, DisabledChecksNeverProbe) {
  load({model("m", {deployment("a")})});  // the fixture's model() disables health checks
  run_rounds(3, nullptr);
  EXPECT_EQ(backend.probes("a"), 0);
}

TEST_F(ModelRouterHealth, StopEndsTheLoop) {
  load({model("m", {deployment("a")}, health(1000))});
  router->stop();
  std::optional<bool> done;
  spawn(health_loop(), done);
  run_until(done);
  EXPECT_TRUE(done.has_value());
}

TEST_F(ModelRouterHealth, AHangingProbeDoesNotHoldUpTheOthers) {
  json checks = health(1000);
  checks["health"]["unhealthy_threshold"] = 1;
  load({model("m", {deployment("a"), deployment("b")}, checks)});
  backend.set_probe_hang("a", true);  // first in the table: probed first
  backend.set_probe_ok("a", false);
  backend.set_probe_ok("b", false);
  on_sleep = [&] { router->stop(); };  // one round
  std::optional<bool> done;
  spawn(health_loop(), done);
  // While a's probe hangs, b's is answered and recorded.
  ASSERT_TRUE(run_while([&] { return gauge("osprey_deployment_healthy", "b") != 0; }));
  EXPECT_EQ(backend.probes_hanging(), 1);
  EXPECT_EQ(backend.probes("b"), 1);
  EXPECT_EQ(gauge("osprey_deployment_healthy", "a"), 1);  // no outcome yet
  EXPECT_FALSE(done.has_value());                         // the round waits for every probe
  backend.release();  // a's probe ends (as its timeout would) with a failure
  run_until(done);
  EXPECT_EQ(backend.probes_hanging(), 0);
  EXPECT_EQ(gauge("osprey_deployment_healthy", "a"), 0);
  EXPECT_EQ(sleeps.size(), 1u);
}

TEST_F(ModelRouterHealth, StopDuringAHangingProbeRecordsNoOutcome) {
  json checks = health(1000);
  checks["health"]["unhealthy_threshold"] = 1;
  load({model("m", {deployment("a"), deployment("b")}, checks)});
  backend.set_probe_hang("a", true);
  backend.set_probe_ok("a", false);
  std::optional<bool> done;
  spawn(health_loop(), done);
  ASSERT_TRUE(run_while([&] { return backend.probes_hanging() == 0 || backend.probes("b") == 0; }));
  router->stop();  // cancels a's probe
  run_until(done);
  EXPECT_EQ(backend.probes_hanging(), 0);
  EXPECT_EQ(gauge("osprey_deployment_healthy", "a"), 1);  // the cut probe counted for nothing
  EXPECT_TRUE(sleeps.empty());
}

}  // namespace
}  // namespace osprey::router::testing
