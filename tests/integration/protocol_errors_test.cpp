// The server answers bad HTTP with the right status and the JSON error shape, and keeps serving
// other clients meanwhile.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "http_client.h"
#include "osprey_process.h"

namespace osprey::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ProtocolErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = OspreyProcess::start({.args = {"--set", "server.header_timeout_ms=500", "--set",
                                             "server.max_body_bytes=1048576"}})
                  .release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static void expect_json_error(const HttpResponse& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_NE(r.header("content-type").find("application/json"), std::string::npos);
    json body = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << r.body;
    EXPECT_EQ(body["error"]["code"], code) << r.body;
    EXPECT_TRUE(body["error"]["message"].is_string());
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
    EXPECT_EQ(body["error"]["request_id"], r.header("x-request-id")) << r.body;
  }

  static bool healthy() { return http_request(server_->port(), "GET", "/healthz").status == 200; }

  static OspreyProcess* server_;
};

OspreyProcess* ProtocolErrors::server_ = nullptr;

TEST_F(ProtocolErrors, MalformedRequestLineGets400) {
  Connection c;
  ASSERT_TRUE(c.connect(server_->port()));
  ASSERT_TRUE(c.send_raw("THIS IS NOT HTTP\r\n\r\n"));
  expect_json_error(c.read_response(5s), 400, "malformed_http");
  EXPECT_TRUE(healthy());
}

TEST_F(ProtocolErrors, BodyOverTheLimitGets413WhileTheClientIsStillSending) {
  Connection c;
  ASSERT_TRUE(c.connect(server_->port()));
  const std::size_t size = 10 * 1024 * 1024;
  ASSERT_TRUE(
      c.send_raw("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: " +
                 std::to_string(size) + "\r\n\r\n"));
  // Keep sending the body in the background as a real uploader would.
  std::thread uploader([&c, size] {
    std::string chunk(64 * 1024, 'x');
    for (std::size_t sent = 0; sent < size; sent += chunk.size()) {
      if (!c.send_raw(chunk)) break;
    }
  });
  HttpResponse r = c.read_response(10s);
  uploader.join();
  expect_json_error(r, 413, "payload_too_large");
  EXPECT_TRUE(healthy());
}

TEST_F(ProtocolErrors, SlowLorisGets408AndOthersAreServedMeanwhile) {
  Connection slow;
  ASSERT_TRUE(slow.connect(server_->port()));
  ASSERT_TRUE(slow.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  // While the slow client stalls, others are served.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(healthy());
  expect_json_error(slow.read_response(5s), 408, "request_timeout");
  EXPECT_TRUE(slow.wait_closed(2s));
}

TEST_F(ProtocolErrors, BodyFramingTheServerCannotReadIsRefusedAndNothingIsSmuggled) {
  // A request hidden in the body: answering it would be request smuggling.
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"gzip", "malformed_http"},
      {"chunked, gzip", "malformed_http"},
      {"gzip, chunked", "not_implemented"}};
  for (const auto& [coding, code] : cases) {
    Connection c;
    ASSERT_TRUE(c.connect(server_->port()));
    ASSERT_TRUE(c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " +
                           coding + "\r\n\r\n" + smuggled));
    SCOPED_TRACE(coding);
    expect_json_error(c.read_response(5s), code == "not_implemented" ? 501 : 400, code);
    EXPECT_TRUE(c.wait_closed(2s));
  }
  EXPECT_TRUE(healthy());
}

TEST_F(ProtocolErrors, TargetWithoutLeadingSlashAndFoldedHeadersGet400) {
  for (const std::string head :
       {"POST v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"}) {
    Connection c;
    ASSERT_TRUE(c.connect(server_->port()));
    ASSERT_TRUE(c.send_raw(head));
    expect_json_error(c.read_response(5s), 400, "malformed_http");
    EXPECT_TRUE(c.wait_closed(2s));
  }
}

TEST_F(ProtocolErrors, CompressedRequestBodyGets415) {
  HttpResponse r =
      http_request(server_->port(), "POST", "/v1/chat/completions", "\x1f\x8b\x08",
                   {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
  expect_json_error(r, 415, "unsupported_media_type");
}

TEST_F(ProtocolErrors, UnknownRouteGets404) {
  expect_json_error(http_request(server_->port(), "GET", "/no/such/route"), 404, "not_found");
}

TEST_F(ProtocolErrors, WrongMethodGets405WithAllow) {
  HttpResponse r = http_request(server_->port(), "DELETE", "/healthz");
  expect_json_error(r, 405, "method_not_allowed");
  EXPECT_NE(r.header("allow").find("GET"), std::string::npos);
}

TEST_F(ProtocolErrors, RequestIdIsEchoedOrGenerated) {
  HttpResponse given =
      http_request(server_->port(), "GET", "/healthz", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(given.header("x-request-id"), "abc-123");
  HttpResponse generated = http_request(server_->port(), "GET", "/healthz");
  EXPECT_GE(generated.header("x-request-id").size(), 16u);
}

TEST_F(ProtocolErrors, HealthReadinessAndVersionAnswerJson) {
  HttpResponse ready = http_request(server_->port(), "GET", "/readyz");
  ASSERT_EQ(ready.status, 200) << ready.body;
  json body = json::parse(ready.body);
  EXPECT_EQ(body["status"], "ready");
  ASSERT_TRUE(body["dependencies"].is_array());
  EXPECT_EQ(body["dependencies"][0]["name"], "store");
  EXPECT_EQ(body["dependencies"][0]["state"], "up");
  HttpResponse version = http_request(server_->port(), "GET", "/version");
  ASSERT_EQ(version.status, 200);
  EXPECT_EQ(json::parse(version.body)["name"], "osprey");
}

}  // namespace
}  // namespace osprey::testing
