// Per-deployment TLS settings, end to end: the real osprey binary calls an HTTPS upstream whose
// certificate is self-signed (generated at test time by the openssl CLI). A deployment with
// verify_tls: false or with the certificate as ca_file gets answers; one with the defaults gets
// the TLS error — all through the one shared HTTP client.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "http_client.h"
#include "osprey_process.h"
#include "unit/net/test_upstream.h"

namespace osprey::testing {
namespace {

using net::fakes::Reply;
using net::fakes::SeenRequest;
using net::fakes::TestUpstream;
using nlohmann::json;

// An OpenAI chat.completion (the wire format the openai adapter parses).
Reply chat_completion(const SeenRequest&) {
  Reply reply;
  reply.headers = {{"content-type", "application/json"}};
  reply.body =
      json{{"id", "chatcmpl-tls"},
           {"object", "chat.completion"},
           {"created", 1},
           {"model", "fake-model"},
           {"choices", json::array({{{"index", 0},
                                     {"message", {{"role", "assistant"}, {"content", "over tls"}}},
                                     {"finish_reason", "stop"}}})},
           {"usage", {{"prompt_tokens", 3}, {"completion_tokens", 2}, {"total_tokens", 5}}}}
          .dump();
  return reply;
}

std::string model(const std::string& name, const std::string& base_url,
                  const std::string& tls_yaml) {
  return "  - name: " + name +
         "\n"
         "    health: {enabled: false}\n"
         "    retry: {max_attempts: 1}\n"
         "    deployments:\n"
         "      - id: " +
         name + "@tls\n        adapter: openai\n        base_url: " + base_url +
         "\n        model: fake-model\n" + tls_yaml;
}

HttpResponse chat(const OspreyProcess& osprey, const std::string& name) {
  const json body = {{"model", name},
                     {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
  return http_request(osprey.port(), "POST", "/v1/chat/completions", body.dump(),
                      osprey.admin_auth());
}

TEST(UpstreamTls, EachDeploymentChecksCertificatesAsConfigured) {
  TempDir dir;
  const std::string cert = dir.path() + "/cert.pem";
  const std::string key = dir.path() + "/key.pem";
  const std::string openssl =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
      " -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -keyout '" +
      key + "' -out '" + cert + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(openssl.c_str()), 0) << "openssl could not generate the certificate";
  TestUpstream upstream(TestUpstream::Tls{cert, key});
  upstream.on_request(chat_completion);
  const std::string base_url = "https://127.0.0.1:" + std::to_string(upstream.port());

  const std::string config = dir.path() + "/osprey.yaml";
  write_file(config, "models:\n" + model("insecure", base_url, "        verify_tls: false\n") +
                         model("pinned", base_url, "        ca_file: " + cert + "\n") +
                         model("strict", base_url, ""));
  auto osprey = OspreyProcess::start({.args = {"--config", config}});

  for (const std::string name : {"insecure", "pinned", "insecure", "pinned"}) {
    HttpResponse ok = chat(*osprey, name);
    ASSERT_EQ(ok.status, 200) << name << ": " << ok.body;
    EXPECT_EQ(json::parse(ok.body)["choices"][0]["message"]["content"], "over tls");
  }
  // Same host and port as the two above, but checked against the system CAs: refused.
  HttpResponse strict = chat(*osprey, "strict");
  EXPECT_EQ(strict.status, 502) << strict.body;
  const json error = json::parse(strict.body)["error"];
  EXPECT_EQ(error["code"], "upstream_error") << strict.body;
  EXPECT_EQ(upstream.requests().size(), 4u);  // the strict call never sent its request

  int warnings = 0;
  for (const std::string& line : osprey->log_lines()) {
    const json entry = json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("msg", "") == "tls_verification_disabled") {
      ++warnings;
      EXPECT_EQ(entry.value("model", ""), "insecure") << line;
      EXPECT_EQ(entry.value("deployment", ""), "insecure@tls") << line;
    }
  }
  EXPECT_EQ(warnings, 1);
}

}  // namespace
}  // namespace osprey::testing
