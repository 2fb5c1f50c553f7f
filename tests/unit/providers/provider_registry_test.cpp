// ProviderRegistry::create and make_client_request carry a deployment's TLS settings.
#include "providers/provider_registry.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "net/http_client.h"
#include "providers/upstream_call.h"

namespace osprey::providers {
namespace {

ProviderConfig openai_config() {
  ProviderConfig c;
  c.adapter = "openai";
  c.base_url = "https://127.0.0.1:1";
  c.upstream_model = "fake-model";
  return c;
}

TEST(ProviderRegistryTls, UnloadableCaFileIsAConfigErrorAtCreate) {
  const std::string path = ::testing::TempDir() + "/provider_registry_test_not_pem.txt";
  {
    std::ofstream out(path);
    out << "not a certificate\n";
  }
  ProviderRegistry registry;
  register_builtin_providers(registry);
  net::HttpClient client;
  ProviderConfig config = openai_config();
  config.ca_file = path;
  auto provider = registry.create(config, client);
  std::remove(path.c_str());
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.code(), ErrorCode::kConfigInvalid);
  EXPECT_EQ(provider.error().message.rfind("openai adapter: cannot load CA file", 0), 0u)
      << provider.error().message;
}

TEST(ProviderRegistryTls, EveryCallCarriesTheDeploymentsSettings) {
  ProviderConfig config = openai_config();
  config.verify_tls = false;
  auto request = make_client_request(config, CallContext{}, "GET", "https://127.0.0.1:1/", "");
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(request->tls.has_value());
  EXPECT_EQ(*request->tls, (net::TlsSettings{false, ""}));

  config.verify_tls = true;
  config.ca_file = "/etc/osprey/ca.pem";
  request = make_client_request(config, CallContext{}, "GET", "https://127.0.0.1:1/", "");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(*request->tls, (net::TlsSettings{true, "/etc/osprey/ca.pem"}));
}

}  // namespace
}  // namespace osprey::providers
