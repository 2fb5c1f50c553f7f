// HttpClient over TLS against a TestUpstream with a self-signed certificate generated at test
// time by the openssl CLI (SAN: localhost, 127.0.0.1).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "net/http_client.h"
#include "unit/net/test_upstream.h"

namespace osprey::net {
namespace {

using fakes::TestUpstream;

class HttpClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("osprey_client_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    generated_ = make_cert("cert.pem", "key.pem", "DNS:localhost,IP:127.0.0.1") &&
                 make_cert("name_only_cert.pem", "name_only_key.pem", "DNS:localhost");
  }
  static bool make_cert(const std::string& cert, const std::string& key, const std::string& san) {
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
        " -subj /CN=localhost -addext subjectAltName=" +
        san + " -keyout '" + (dir_ / key).string() + "' -out '" + (dir_ / cert).string() +
        "' >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void SetUp() override {
    ASSERT_TRUE(generated_) << "openssl could not generate the test certificate";
    upstream_ = std::make_unique<TestUpstream>(
        TestUpstream::Tls{(dir_ / "cert.pem").string(), (dir_ / "key.pem").string()});
  }

  Result<ClientResponse> get(HttpClient& client, const std::string& url,
                             std::optional<TlsSettings> tls = std::nullopt) {
    std::optional<Result<ClientResponse>> out;
    fakes::run_on(io_, [&]() -> Task<void> {
      ClientRequest request;
      request.method = "GET";
      request.url = url;
      request.tls = tls;
      out.emplace(co_await client.send(request));
    });
    return std::move(*out);
  }
  std::string localhost_url() const {
    return "https://localhost:" + std::to_string(upstream_->port()) + "/";
  }

  static inline std::filesystem::path dir_;
  static inline bool generated_ = false;
  boost::asio::io_context io_;
  std::unique_ptr<TestUpstream> upstream_;
};

TEST_F(HttpClientTlsTest, VerificationFailsWithoutTheCa) {
  HttpClient client;  // system CAs only: the self-signed certificate is unknown
  auto response = get(client, upstream_->url());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(client_error_kind(response.error()), ClientErrorKind::kTls);
  EXPECT_NE(response.error().message.find("certificate"), std::string::npos)
      << response.error().message;
}

TEST_F(HttpClientTlsTest, SucceedsWithCaFileByIpAndByName) {
  ClientOptions options;
  options.ca_file = (dir_ / "cert.pem").string();
  HttpClient client(options);
  auto by_ip = get(client, upstream_->url());
  ASSERT_TRUE(by_ip) << by_ip.error().message;
  EXPECT_EQ(by_ip->body, "ok");
  auto by_name = get(client, localhost_url());  // SNI + DNS-name verification
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(by_name->status, 200);
}

TEST_F(HttpClientTlsTest, KeepAliveOverTls) {
  ClientOptions options;
  options.ca_file = (dir_ / "cert.pem").string();
  HttpClient client(options);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(get(client, upstream_->url()));
  EXPECT_EQ(upstream_->accepted(), 1);
}

TEST_F(HttpClientTlsTest, WorksWithVerificationDisabled) {
  ClientOptions options;
  options.verify_tls = false;
  HttpClient client(options);
  auto response = get(client, upstream_->url());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "ok");
}

TEST_F(HttpClientTlsTest, HostNameMismatchFailsEvenWithATrustedCertificate) {
  TestUpstream name_only(TestUpstream::Tls{(dir_ / "name_only_cert.pem").string(),
                                           (dir_ / "name_only_key.pem").string()});
  ClientOptions options;
  options.ca_file = (dir_ / "name_only_cert.pem").string();
  HttpClient client(options);
  // Trusted chain, but the certificate names only localhost, not 127.0.0.1.
  auto by_ip = get(client, name_only.url());
  ASSERT_FALSE(by_ip);
  EXPECT_EQ(client_error_kind(by_ip.error()), ClientErrorKind::kTls) << by_ip.error().message;
  auto by_name = get(client, "https://localhost:" + std::to_string(name_only.port()) + "/");
  EXPECT_TRUE(by_name) << by_name.error().message;
}

TEST_F(HttpClientTlsTest, UnreadableCaFileIsAConfigError) {
  ClientOptions options;
  options.ca_file = (dir_ / "missing.pem").string();
  HttpClient client(options);
  auto response = get(client, upstream_->url());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kConfigInvalid);
  EXPECT_NE(response.error().message.find("missing.pem"), std::string::npos);
}

TEST_F(HttpClientTlsTest, PerRequestSettingsOnOneClient) {
  HttpClient client;  // defaults: verify against the system CAs
  const TlsSettings verify_with_ca{true, (dir_ / "cert.pem").string()};
  const TlsSettings no_verify{false, ""};

  auto unverified = get(client, upstream_->url(), no_verify);
  ASSERT_TRUE(unverified) << unverified.error().message;
  EXPECT_EQ(unverified->body, "ok");

  // Same host right after: the unverified keep-alive connection must not be reused.
  auto verified = get(client, upstream_->url(), TlsSettings{});
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.code(), ErrorCode::kUpstreamError);
  EXPECT_EQ(client_error_kind(verified.error()), ClientErrorKind::kTls) << verified.error().message;
  auto by_default = get(client, upstream_->url());
  ASSERT_FALSE(by_default);
  EXPECT_EQ(client_error_kind(by_default.error()), ClientErrorKind::kTls);

  auto trusted = get(client, upstream_->url(), verify_with_ca);
  ASSERT_TRUE(trusted) << trusted.error().message;
  EXPECT_EQ(trusted->status, 200);

  // Each setting keeps its own idle connection; both get reused.
  const int accepted = upstream_->accepted();
  ASSERT_TRUE(get(client, upstream_->url(), no_verify));
  ASSERT_TRUE(get(client, upstream_->url(), verify_with_ca));
  EXPECT_EQ(upstream_->accepted(), accepted);
  EXPECT_EQ(client.stats().idle, 2u);
}

TEST_F(HttpClientTlsTest, PrepareTlsReportsABadCaFile) {
  HttpClient client;
  EXPECT_TRUE(client.prepare_tls(TlsSettings{true, (dir_ / "cert.pem").string()}).ok());
  EXPECT_TRUE(client.prepare_tls(TlsSettings{false, ""}).ok());
  const TlsSettings missing{true, (dir_ / "missing.pem").string()};
  auto prepared = client.prepare_tls(missing);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.code(), ErrorCode::kConfigInvalid);
  auto response = get(client, upstream_->url(), missing);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.code(), ErrorCode::kConfigInvalid);
  EXPECT_NE(response.error().message.find("missing.pem"), std::string::npos);
}

}  // namespace
}  // namespace osprey::net
