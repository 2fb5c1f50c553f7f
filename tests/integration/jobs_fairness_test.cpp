// Fair sharing across tenants through the real binary: tenant B's 20-item job, submitted after
// tenant A's 20,000-item job, finishes long before A's. Tenants and their keys come from the
// admin API, with the admin key the server prints on its first start; a build without API-key
// authentication prints none, and the test is skipped.
#include <gtest/gtest.h>

#include <thread>

#include "jobs_api.h"
#include "osprey_process.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The admin key from the server's first-start line, or "".
std::string printed_admin_key(const OspreyProcess& server) {
  const std::string marker = "osprey admin key (shown once): ";
  const std::string out = server.stdout_text();
  const auto at = out.find(marker);
  if (at == std::string::npos) return {};
  const auto begin = at + marker.size();
  return out.substr(begin, out.find_first_of("\r\n", begin) - begin);
}

// Creates a tenant and one key for it through the admin API; returns the key's auth header.
Headers tenant_auth(const OspreyProcess& server, const Headers& admin, const std::string& name) {
  const std::string tenant_body = json{{"name", name}}.dump();
  HttpResponse tenant = http_request(server.port(), "POST", "/admin/tenants", tenant_body, admin);
  EXPECT_EQ(tenant.status, 201) << tenant.body;
  const std::string key_body = json{{"name", "jobs"}}.dump();
  HttpResponse key =
      http_request(server.port(), "POST", "/admin/tenants/" + name + "/keys", key_body, admin);
  EXPECT_EQ(key.status, 201) << key.body;
  auto body = json::parse(key.body, nullptr, false);
  return {{"Authorization", "Bearer " + body.value("key", std::string())}};
}

json call(std::uint16_t port, const std::string& method, const std::string& target,
          const Headers& auth, const json& body = nullptr) {
  HttpResponse r = http_request(port, method, target, body.is_null() ? "" : body.dump(), auth);
  EXPECT_TRUE(r.status == 200 || r.status == 201)
      << method << " " << target << ": " << r.status << " " << r.body;
  return json::parse(r.body, nullptr, false);
}

TEST(JobsFairness, AnotherTenantsSmallJobFinishesLongBeforeABigOne) {
  auto server = OspreyProcess::start(
      {.args = {"--set", "jobs.poll_ms=50", "--set", "jobs.worker_threads=4"}});
  ASSERT_NE(server, nullptr);
  const std::string admin_key = printed_admin_key(*server);
  if (admin_key.empty()) GTEST_SKIP() << "this build has no API-key authentication";
  const Headers admin = {{"Authorization", "Bearer " + admin_key}};
  const Headers a = tenant_auth(*server, admin, "tenant-a");
  const Headers b = tenant_auth(*server, admin, "tenant-b");
  const std::uint16_t port = server->port();

  json big = call(port, "POST", "/v1/jobs", a,
                  {{"workload", "noop"}, {"spec", {{"count", 20000}, {"delay_ms", 1}}}});
  const std::string big_id = std::to_string(big["id"].get<std::int64_t>());
  // B arrives once A's job is well under way, with A's items filling the queue.
  for (int i = 0; i < 500; ++i) {
    if (call(port, "GET", "/v1/jobs/" + big_id, a)["counts"]["done"].get<int>() >= 200) break;
    std::this_thread::sleep_for(10ms);
  }
  json small = call(port, "POST", "/v1/jobs", b, {{"workload", "noop"}, {"spec", {{"count", 20}}}});
  const std::string small_id = std::to_string(small["id"].get<std::int64_t>());
  // Another tenant cannot see either job.
  EXPECT_EQ(http_request(port, "GET", "/v1/jobs/" + big_id, "", b).status, 404);

  json small_done;
  for (int i = 0; i < 6000; ++i) {
    small_done = call(port, "GET", "/v1/jobs/" + small_id, b);
    if (small_done["state"] == "succeeded") break;
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(small_done["state"], "succeeded") << small_done.dump();
  json big_then = call(port, "GET", "/v1/jobs/" + big_id, a);
  EXPECT_EQ(big_then["state"], "running");
  EXPECT_LT(big_then["counts"]["done"].get<int>(), 10000)
      << "B's job waited for most of A's job: " << big_then.dump();

  json big_done;
  for (int i = 0; i < 12000; ++i) {
    big_done = call(port, "GET", "/v1/jobs/" + big_id, a);
    if (big_done["state"] != "running" && big_done["state"] != "queued") break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(big_done["state"], "succeeded");
  EXPECT_LT(small_done["finished_at"].get<std::string>(),
            big_done["finished_at"].get<std::string>());
}

}  // namespace
}  // namespace osprey::testing
