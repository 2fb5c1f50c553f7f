// RouterReloader and the /v1/models and /admin/reload routes over a ModelRouter built from
// scripted providers: a valid reload swaps the table, an invalid one keeps the old table and
// names the key.
#include "gateway/router_reloader.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/admin_reload_route.h"
#include "gateway/models_route.h"
#include "net/http_client.h"
#include "net/worker_pool.h"
#include "unit/gateway/scripted_provider.h"

namespace osprey::gateway {
namespace {

using json = nlohmann::json;

json model(const std::string& name) {
  return {{"name", name},
          {"deployments", {{{"adapter", "openai"}, {"base_url", "http://scripted"}}}},
          {"health", {{"enabled", false}}}};
}

class ReloadTest : public ::testing::Test {
 protected:
  ReloadTest() {
    testing::register_scripted(registry_, book_);
    router_ = std::make_unique<router::ModelRouter>(registry_, client_, metrics_, clock_);
    sections_ = {{"models", {model("a")}}};
    reloader_ = std::make_unique<RouterReloader>(
        *router_, [this] { return router::parse_router_config(sections_, {}); });
    EXPECT_TRUE(reloader_->reload("test").ok());
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& m : router_->models()) out.push_back(m.name);
    return out;
  }

  net::Response run(const std::function<net::Task<net::Response>(net::Request&)>& handler) {
    net::Request request;
    request.request_id = "req-9";
    std::optional<net::Response> out;
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io, [&]() -> net::Task<void> { out.emplace(co_await handler(request)); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io.run();
    return std::move(*out);
  }

  testing::ScriptBook book_;
  providers::ProviderRegistry registry_;
  net::HttpClient client_;
  metrics::Registry metrics_;
  ManualClock clock_;
  std::unique_ptr<router::ModelRouter> router_;
  json sections_;
  std::unique_ptr<RouterReloader> reloader_;
};

TEST_F(ReloadTest, ValidConfigReplacesTheTable) {
  sections_ = {{"models", {model("a"), model("b")}}};
  Result<std::size_t> n = reloader_->reload("test");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.value(), 2u);
  EXPECT_EQ(names(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ReloadTest, InvalidConfigKeepsTheOldTableAndNamesTheKey) {
  sections_ = {{"models", {{{"name", "c"}, {"deployments", {{{"adapter", "bogus"}}}}}}}};
  Result<std::size_t> n = reloader_->reload("test");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().message.find("models[0].deployments[0].adapter"), std::string::npos)
      << n.error().message;
  EXPECT_EQ(names(), (std::vector<std::string>{"a"}));
}

TEST_F(ReloadTest, ModelsRouteListsInOpenAiShape) {
  ModelsRoute route(*router_, 1700000000);
  Principal caller;
  net::Response r = run([&](net::Request& req) { return route.handle(req, caller); });
  ASSERT_EQ(r.status, 200);
  const json body = json::parse(r.body);
  EXPECT_EQ(body, json::parse(R"({"object":"list","data":[
      {"id":"a","object":"model","created":1700000000,"owned_by":"osprey"}]})"));
}

TEST_F(ReloadTest, ModelsRouteListsOnlyTheModelsTheKeyMayUse) {
  sections_ = {{"models", {model("a"), model("b"), model("c")}}};
  ASSERT_TRUE(reloader_->reload("test").ok());
  ModelsRoute route(*router_, 1700000000);
  Principal caller;
  caller.plan.allowed_models = {"c", "a", "not-served"};
  net::Response r = run([&](net::Request& req) { return route.handle(req, caller); });
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> ids;
  const json body = json::parse(r.body);
  for (const json& m : body["data"]) ids.push_back(m["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "c"}));
}

TEST_F(ReloadTest, AdminReloadRouteAnswersCountOr400) {
  net::WorkerPool workers(1);
  AdminReloadRoute route(*reloader_, workers);
  Principal admin;
  admin.admin = true;
  admin.key_prefix = "osp_admin123";
  sections_ = {{"models", {model("a"), model("b"), model("c")}}};
  net::Response ok = run([&](net::Request& req) { return route.handle(req, admin); });
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body), json::parse(R"({"status":"reloaded","models":3})"));

  sections_ = {{"models", "not a list"}};
  net::Response bad = run([&](net::Request& req) { return route.handle(req, admin); });
  EXPECT_EQ(bad.status, 400);
  const json error = json::parse(bad.body)["error"];
  EXPECT_EQ(error["code"], "invalid_request");
  EXPECT_NE(error["message"].get<std::string>().find("models"), std::string::npos);
  EXPECT_EQ(names().size(), 3u);
  workers.join();
}

}  // namespace
}  // namespace osprey::gateway
