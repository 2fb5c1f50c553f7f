// The OpenAI-compatible API through the real `osprey serve` binary, in front of the
// `osprey-fake-upstream` CLI: chat (plain and streamed), error shapes, routing headers,
// /v1/models, /admin/reload and SIGHUP reload.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "integration/fake_upstream_process.h"
#include "integration/http_client.h"
#include "integration/osprey_process.h"

namespace osprey::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string model_yaml(const std::string& name, const std::string& base_url) {
  return "  - name: " + name +
         "\n"
         "    deployments:\n"
         "      - id: " +
         name +
         "@fake\n"
         "        adapter: openai\n"
         "        base_url: " +
         base_url +
         "\n"
         "        model: upstream-" +
         name + "\n";
}

std::vector<std::string> model_ids(const OspreyProcess& osprey) {
  HttpResponse r = http_request(osprey.port(), "GET", "/v1/models", "", osprey.admin_auth());
  std::vector<std::string> ids;
  if (r.status != 200) return ids;
  const json body = json::parse(r.body);
  for (const auto& m : body["data"]) ids.push_back(m["id"]);
  return ids;
}

const std::vector<std::pair<std::string, std::string>> kJson = {
    {"Content-Type", "application/json"}};

class GatewayApi : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<FakeUpstreamProcess>(std::vector<std::string>{"--vendor", "openai"});
    ASSERT_NE(fake_->port(), 0);
    config_path_ = dir_.path() + "/osprey.yaml";
    write_config({"chat"});
    ProcessOptions options;
    options.args = {"--config", config_path_};
    osprey_ = OspreyProcess::start(options);
    ASSERT_NE(osprey_, nullptr);
  }

  void write_config(const std::vector<std::string>& models) {
    std::string yaml = "models:\n";
    for (const auto& m : models) yaml += model_yaml(m, fake_->url());
    write_file(config_path_, yaml);
  }

  HttpResponse chat(const json& body) {
    return http_request(osprey_->port(), "POST", "/v1/chat/completions", body.dump(),
                        json_with_key());
  }

  // Content-Type plus the admin key printed at start-up.
  std::vector<std::pair<std::string, std::string>> json_with_key() const {
    auto headers = osprey_->admin_auth();
    headers.insert(headers.end(), kJson.begin(), kJson.end());
    return headers;
  }

  TempDir dir_;
  std::string config_path_;
  std::unique_ptr<FakeUpstreamProcess> fake_;
  std::unique_ptr<OspreyProcess> osprey_;
};

const json kHello = {{"model", "chat"},
                     {"messages", {{{"role", "user"}, {"content", "hello there"}}}}};

TEST_F(GatewayApi, ChatCompletionAnswersInOpenAiShapeWithRoutingHeaders) {
  HttpResponse r = chat(kHello);
  ASSERT_EQ(r.status, 200) << r.body;
  const json body = json::parse(r.body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "chat");
  EXPECT_EQ(body["choices"][0]["message"]["content"], "echo: hello there");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_GT(body["usage"]["prompt_tokens"].get<int>(), 0);
  EXPECT_EQ(r.header("x-osprey-deployment"), "chat@fake");
  EXPECT_EQ(r.header("x-osprey-model"), "");  // no fallback answered
  EXPECT_FALSE(r.header("x-request-id").empty());
}

TEST_F(GatewayApi, StreamedChatSendsChunksUsageAndDone) {
  json request = kHello;
  request["stream"] = true;
  request["stream_options"] = {{"include_usage", true}};
  HttpResponse r = chat(request);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-osprey-deployment"), "chat@fake");
  EXPECT_NE(r.header("content-type").find("text/event-stream"), std::string::npos);
  const std::vector<std::string> events = sse_data(r.body);
  ASSERT_GE(events.size(), 3u) << r.body;
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  bool saw_usage = false;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const json chunk = json::parse(events[i]);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    EXPECT_EQ(chunk["model"], "chat");
    if (chunk.contains("usage") && chunk["usage"].is_object()) {
      saw_usage = true;
      EXPECT_GT(chunk["usage"]["completion_tokens"].get<int>(), 0);
    }
    for (const auto& choice : chunk["choices"]) {
      if (choice["delta"].contains("content") && choice["delta"]["content"].is_string()) {
        text += choice["delta"]["content"].get<std::string>();
      }
    }
  }
  EXPECT_EQ(text, "echo: hello there");
  EXPECT_TRUE(saw_usage);
}

// Events that arrive together leave in one write, but one that arrives alone is never held for
// the next: with the upstream pausing 1.5 s between chunks, the first reaches the client long
// before the second exists.
TEST_F(GatewayApi, AStreamedChunkIsForwardedWithoutWaitingForTheNext) {
  HttpResponse set =
      http_request(fake_->port(), "POST", "/_fake/faults", R"({"chunk_delay_ms":1500})", kJson);
  ASSERT_EQ(set.status, 200) << set.body;
  json request = kHello;
  request["stream"] = true;
  Connection c;
  ASSERT_TRUE(c.connect(osprey_->port()));
  ASSERT_TRUE(c.send_request("POST", "/v1/chat/completions", request.dump(), json_with_key()));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_for_text("chat.completion.chunk", 1200ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1200ms);
  c.close();  // the client leaves; Osprey cancels the upstream call
}

TEST_F(GatewayApi, UpstreamFailureMidStreamSendsErrorEventAndNoDone) {
  HttpResponse set = http_request(fake_->port(), "POST", "/_fake/faults",
                                  R"({"stream_error_after_chunks":2})", kJson);
  ASSERT_EQ(set.status, 200) << set.body;
  json request = kHello;
  request["stream"] = true;
  HttpResponse r = chat(request);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<std::string> events = sse_data(r.body);
  ASSERT_FALSE(events.empty()) << r.body;
  EXPECT_NE(events.back(), "[DONE]");
  const json last = json::parse(events.back());
  ASSERT_TRUE(last.contains("error")) << events.back();
  EXPECT_FALSE(last["error"]["message"].get<std::string>().empty());
  EXPECT_FALSE(last["error"]["code"].get<std::string>().empty());
}

TEST_F(GatewayApi, InvalidBodiesAreRejectedWithTheErrorShape) {
  HttpResponse not_json =
      http_request(osprey_->port(), "POST", "/v1/chat/completions", "{not json", json_with_key());
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(json::parse(not_json.body)["error"]["code"], "invalid_request");

  HttpResponse no_messages = chat({{"model", "chat"}});
  EXPECT_EQ(no_messages.status, 400);
  const json error = json::parse(no_messages.body)["error"];
  EXPECT_EQ(error["type"], "invalid_request_error");
  EXPECT_NE(error["message"].get<std::string>().find("messages"), std::string::npos)
      << error.dump();
}

TEST_F(GatewayApi, UnknownModelIsNotFound) {
  json request = kHello;
  request["model"] = "no-such-model";
  HttpResponse r = chat(request);
  EXPECT_EQ(r.status, 404);
  const json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "not_found");
  EXPECT_NE(error["message"].get<std::string>().find("model_not_found"), std::string::npos);
  EXPECT_NE(error["message"].get<std::string>().find("no-such-model"), std::string::npos);
}

TEST_F(GatewayApi, ModelsListsConfiguredModelsInOpenAiShape) {
  HttpResponse r = http_request(osprey_->port(), "GET", "/v1/models", "", osprey_->admin_auth());
  ASSERT_EQ(r.status, 200);
  const json body = json::parse(r.body);
  EXPECT_EQ(body["object"], "list");
  ASSERT_EQ(body["data"].size(), 1u);
  EXPECT_EQ(body["data"][0]["id"], "chat");
  EXPECT_EQ(body["data"][0]["object"], "model");
  EXPECT_EQ(body["data"][0]["owned_by"], "osprey");
  EXPECT_TRUE(body["data"][0]["created"].is_number_integer());
}

TEST_F(GatewayApi, AdminReloadInstallsAValidTableAndKeepsTheOldOneOnError) {
  write_config({"chat", "second"});
  HttpResponse ok =
      http_request(osprey_->port(), "POST", "/admin/reload", "", osprey_->admin_auth());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["models"], 2);
  EXPECT_EQ(model_ids(*osprey_), (std::vector<std::string>{"chat", "second"}));

  write_file(config_path_,
             "models:\n  - name: broken\n    deployments:\n      - adapter: nonsense\n");
  HttpResponse bad =
      http_request(osprey_->port(), "POST", "/admin/reload", "", osprey_->admin_auth());
  EXPECT_EQ(bad.status, 400);
  const std::string message = json::parse(bad.body)["error"]["message"];
  EXPECT_NE(message.find("models[0].deployments[0].adapter"), std::string::npos) << message;
  EXPECT_EQ(model_ids(*osprey_), (std::vector<std::string>{"chat", "second"}));
  // The old table still answers.
  EXPECT_EQ(chat(kHello).status, 200);
}

TEST_F(GatewayApi, SighupReloadsTheModelTable) {
  write_config({"chat", "after-hup"});
  osprey_->signal(SIGHUP);
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (model_ids(*osprey_).size() != 2 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(model_ids(*osprey_), (std::vector<std::string>{"chat", "after-hup"}));
  EXPECT_TRUE(osprey_->running());
}

TEST(GatewayStartup, InvalidModelsSectionFailsNamingTheKey) {
  TempDir dir;
  write_file(dir.path() + "/osprey.yaml",
             "models:\n  - name: m\n    deployments:\n      - adapter: openai\n");
  CommandResult r =
      run_osprey({"serve", "--data-dir", dir.path(), "--config", dir.path() + "/osprey.yaml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("models[0].deployments[0].base_url"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace osprey::testing
