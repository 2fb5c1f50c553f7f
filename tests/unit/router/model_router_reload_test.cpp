// ModelRouter::load as a reload: atomic swap, in-flight calls unaffected, state kept.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/router/router_fixture.h"

namespace osprey::router::testing {
namespace {

class ModelRouterReload : public RouterFixture {};

TEST_F(ModelRouterReload, InFlightCallFinishesOnTheOldTableWhileNewCallsUseTheNew) {
  load({model("m", {deployment("old")})});
  Outcome held;
  held.hold = true;
  backend.next(held);
  std::optional<providers::UpstreamResult<RoutedResponse>> slow;
  spawn(router->chat(request("m"), context()), slow);
  while (backend.holding() == 0 && io.run_one() > 0) {
  }
  load({model("m", {deployment("new")}), model("extra", {deployment("x")})});
  auto fresh = chat("m");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->deployment, "new");
  backend.release();
  run_until(slow);
  ASSERT_TRUE(slow->ok()) << slow->error().message;
  EXPECT_EQ((*slow)->deployment, "old");
  auto models = router->models();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].name, "m");
  EXPECT_EQ(models[0].deployments, std::vector<std::string>{"new"});
  EXPECT_EQ(models[1].name, "extra");
}

TEST_F(ModelRouterReload, InvalidReloadKeepsTheOldTable) {
  load({model("m", {deployment("a")})});
  auto bad = try_load({model("m", {deployment("a")}, {{"fallbacks", {"ghost"}}})});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), ErrorCode::kConfigInvalid);
  // A provider that refuses its config fails the load too, naming the deployment.
  bad = try_load({model("m", {deployment("broken")})});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("models[0].deployments[0]"), std::string::npos);
  auto r = chat("m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deployment, "a");
}

TEST_F(ModelRouterReload, UnchangedDeploymentKeepsItsBreakerState) {
  const json breaker = {{"breaker", {{"consecutive_failures", 1}, {"open_ms", 60000}}}};
  load({model("m", {deployment("a"), deployment("b")}, breaker)});
  backend.set_down("a", http_error(500));
  for (int i = 0; i < 20 && backend.calls("a") == 0; ++i) ASSERT_TRUE(chat("m").ok());
  ASSERT_EQ(backend.calls("a"), 1);  // a's breaker is open now
  backend.set_down("a", std::nullopt);

  load({model("m", {deployment("a"), deployment("b")}, breaker), model("n", {deployment("c")})});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(chat("m").ok());
  EXPECT_EQ(backend.calls("a"), 1);  // still open: the reload kept its live state

  // A changed deployment (new weight) starts afresh with a closed breaker.
  load({model("m", {deployment("a", {{"weight", 2}}), deployment("b")}, breaker)});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(chat("m").ok());
  EXPECT_GT(backend.calls("a"), 1);
}

// Providers keep what they derive from their config (the parsed chat URL): a reload that changes
// a deployment's base_url must build a new provider, which then gets the calls.
TEST_F(ModelRouterReload, ChangedBaseUrlGetsTheCallsAfterReload) {
  load({model("m", {deployment("a")})});
  ASSERT_TRUE(chat("m").ok());
  EXPECT_EQ(backend.calls("a"), 1);
  load({model("m", {deployment("a", {{"base_url", "http://b"}})})});
  auto r = chat("m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deployment, "a");
  EXPECT_EQ(backend.calls("a"), 1);
  EXPECT_EQ(backend.calls("b"), 1);
}

TEST_F(ModelRouterReload, NoModelsBeforeTheFirstLoad) {
  EXPECT_TRUE(router->models().empty());
  auto r = chat("m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace osprey::router::testing
