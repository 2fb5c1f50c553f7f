// /metrics is valid Prometheus text whose counters match the requests made; every log line is
// JSON and request-scoped lines carry the request id.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "http_client.h"
#include "metrics_text.h"
#include "osprey_process.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(Metrics, PassPromtoolAndCountTheRequestsMade) {
  auto server = OspreyProcess::start();
  ASSERT_NE(server, nullptr);
  for (int i = 0; i < 7; ++i)
    ASSERT_EQ(http_request(server->port(), "GET", "/healthz").status, 200);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(http_request(server->port(), "GET", "/nope").status, 404);

  HttpResponse r = http_request(server->port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("content-type").find("text/plain"), std::string::npos);
  EXPECT_EQ(metric_value(r.body, "osprey_http_requests_total",
                         {{"route", "/healthz"}, {"method", "GET"}, {"status", "200"}}),
            7);
  EXPECT_EQ(metric_value(r.body, "osprey_http_requests_total",
                         {{"route", "unmatched"}, {"status", "404"}}),
            3);
  EXPECT_EQ(metric_value(r.body, "osprey_http_request_duration_seconds_count",
                         {{"route", "/healthz"}, {"status", "200"}}),
            7);
  EXPECT_EQ(metric_value(r.body, "osprey_http_errors_total", {{"code", "not_found"}}), 3);
  EXPECT_GT(metric_value(r.body, "process_resident_memory_bytes", {}), 0);
  EXPECT_EQ(metric_value(r.body, "osprey_build_info", {}), 1);

  TempDir dir;
  const std::string path = dir.path() + "/metrics.txt";
  write_file(path, r.body);
  const std::string cmd = "promtool check metrics < " + path + " > " + dir.path() + "/out 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << read_file(dir.path() + "/out") << "\n" << r.body;
}

TEST(Logs, EveryLineIsJsonAndRequestLinesCarryTheRequestId) {
  auto server = OspreyProcess::start({.args = {"--log-level", "debug"}});
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(
      http_request(server->port(), "GET", "/healthz", "", {{"X-Request-Id", "trace-me-42"}}).status,
      200);
  ASSERT_EQ(http_request(server->port(), "GET", "/missing").status, 404);
  Connection bad;
  ASSERT_TRUE(bad.connect(server->port()));
  ASSERT_TRUE(bad.send_raw("GARBAGE\r\n\r\n"));
  EXPECT_EQ(bad.read_response(5s).status, 400);
  server->signal(SIGTERM);
  ASSERT_EQ(server->wait_exit(10s), 0);

  int request_lines = 0;
  bool saw_given_id = false;
  for (const std::string& line : server->log_lines()) {
    json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg")) << line;
    EXPECT_EQ(j["service"], "osprey");
    const std::string ts = j["ts"];
    EXPECT_EQ(ts.back(), 'Z') << line;
    if (j["msg"] == "http_request") {
      ++request_lines;
      ASSERT_TRUE(j["request_id"].is_string()) << line;
      EXPECT_FALSE(j["request_id"].get<std::string>().empty()) << line;
      EXPECT_TRUE(j.contains("route") && j.contains("status") && j.contains("latency_ms"));
      if (j["request_id"] == "trace-me-42") saw_given_id = true;
    }
  }
  EXPECT_EQ(request_lines, 3);
  EXPECT_TRUE(saw_given_id);
}

TEST(Logs, SecretsNeverAppearInLogsOrConfigPrint) {
  const std::string secret = "sekret-VALUE-0123456789";
  TempDir dir;
  write_file(dir.path() + "/key", secret + "\n");
  // Once from the environment, once from a *_file key.
  for (const auto& env : std::vector<std::pair<std::string, std::string>>{
           {"OSPREY_SECRETS_ENCRYPTION_KEY", secret},
           {"OSPREY_SECRETS_ENCRYPTION_KEY_FILE", dir.path() + "/key"}}) {
    auto server = OspreyProcess::start({.args = {"--log-level", "debug"}, .env = {env}});
    ASSERT_NE(server, nullptr);
    http_request(server->port(), "GET", "/healthz", "", {{"X-Request-Id", secret}});
    server->signal(SIGTERM);
    ASSERT_EQ(server->wait_exit(10s), 0);
    EXPECT_EQ(server->stderr_text().find(secret), std::string::npos) << server->stderr_text();

    CommandResult printed = run_osprey({"config", "print"}, {env});
    ASSERT_EQ(printed.exit_code, 0) << printed.err;
    EXPECT_EQ(printed.out.find(secret), std::string::npos) << printed.out;
    EXPECT_NE(printed.out.find("encryption_key"), std::string::npos) << printed.out;
    EXPECT_NE(printed.out.find("********"), std::string::npos) << printed.out;
  }
}

}  // namespace
}  // namespace osprey::testing
