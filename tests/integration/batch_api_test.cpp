// The Files and Batches APIs through the real binary in front of the OpenAI-personality fake:
// upload, create, poll to completed, download output and error files in OpenAI's shapes; the
// errors a client can make (bad multipart, wrong purpose, unknown file, malformed JSONL line);
// cancellation; and the per-model concurrency limit holding while a batch runs.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
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

constexpr char kBoundary[] = "osprey-test-boundary";

std::string request_line(const std::string& id, const std::string& text) {
  return json{{"custom_id", id},
              {"method", "POST"},
              {"url", "/v1/chat/completions"},
              {"body", {{"model", "chat"}, {"messages", {{{"role", "user"}, {"content", text}}}}}}}
      .dump();
}

std::string jsonl(int n, const std::string& prefix = "req-") {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += request_line(prefix + std::to_string(i), "hello " + std::to_string(i)) + "\n";
  }
  return out;
}

std::string multipart(const std::string& purpose, const std::string& content) {
  return std::string("--") + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose + "\r\n--" +
         kBoundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
         "Content-Type: application/jsonl\r\n\r\n" +
         content + "\r\n--" + kBoundary + "--\r\n";
}

std::vector<json> lines_of(const std::string& text) {
  std::vector<json> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t eol = text.find('\n', start);
    const std::string line = text.substr(start, eol - start);
    if (!line.empty()) out.push_back(json::parse(line));
    if (eol == std::string::npos) break;
    start = eol + 1;
  }
  return out;
}

class BatchApi : public ::testing::Test {
 protected:
  void start(const std::vector<std::string>& fake_flags, const std::string& extra_yaml = "") {
    std::vector<std::string> flags = {"--vendor", "openai"};
    flags.insert(flags.end(), fake_flags.begin(), fake_flags.end());
    fake_ = std::make_unique<FakeUpstreamProcess>(flags);
    ASSERT_FALSE(fake_->url().empty());
    const std::string config = dir_.path() + "/osprey.yaml";
    write_file(config,
               "models:\n"
               "  - name: chat\n"
               "    health: {enabled: false}\n"
               "    retry: {max_attempts: 1}\n"
               "    deployments:\n"
               "      - id: chat@fake\n"
               "        adapter: openai\n"
               "        base_url: " +
                   fake_->url() +
                   "\n"
                   "        model: upstream-chat\n"
                   "jobs:\n"
                   "  poll_ms: 20\n"
                   "  max_attempts: 1\n" +
                   extra_yaml);
    server_ = OspreyProcess::start({.args = {"--config", config}});
    ASSERT_NE(server_, nullptr);
  }

  HttpResponse upload(const std::string& content, const std::string& purpose = "batch") {
    return server_->request(
        "POST", "/v1/files", multipart(purpose, content),
        {{"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary}});
  }

  // Uploads `content` and creates a batch from it; the batch object.
  json create_batch(const std::string& content) {
    const HttpResponse uploaded = upload(content);
    EXPECT_EQ(uploaded.status, 200) << uploaded.body;
    const json file = json::parse(uploaded.body, nullptr, false);
    if (!file.is_object()) return json();
    const json request = {{"input_file_id", file["id"]},
                          {"endpoint", "/v1/chat/completions"},
                          {"completion_window", "24h"},
                          {"metadata", {{"suite", "integration"}}}};
    const HttpResponse created = server_->request("POST", "/v1/batches", request.dump());
    EXPECT_EQ(created.status, 200) << created.body;
    return json::parse(created.body, nullptr, false);
  }

  json get_batch(const std::string& id) {
    const HttpResponse r = server_->request("GET", "/v1/batches/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // Polls until the batch reaches a terminal status.
  json wait_done(const std::string& id, std::chrono::seconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    json batch;
    while (std::chrono::steady_clock::now() < deadline) {
      batch = get_batch(id);
      const std::string status = batch.value("status", "");
      if (status == "completed" || status == "cancelled" || status == "failed") return batch;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "batch " << id << " did not finish: " << batch.dump();
    return batch;
  }

  std::string content(const json& file_id) {
    if (!file_id.is_string()) return "";
    const HttpResponse r =
        server_->request("GET", "/v1/files/" + file_id.get<std::string>() + "/content");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  json fake_stats() {
    const HttpResponse r = http_request(fake_->port(), "GET", "/_fake/stats");
    return json::parse(r.body, nullptr, false);
  }

  TempDir dir_;
  std::unique_ptr<FakeUpstreamProcess> fake_;
  std::unique_ptr<OspreyProcess> server_;
};

TEST_F(BatchApi, RunsToCompletionAndServesTheOutputFile) {
  start({});
  const json batch = create_batch(jsonl(3));
  ASSERT_TRUE(batch.is_object());
  EXPECT_EQ(batch["object"], "batch");
  EXPECT_EQ(batch["endpoint"], "/v1/chat/completions");
  EXPECT_EQ(batch["request_counts"]["total"], 3);
  EXPECT_EQ(batch["metadata"]["suite"], "integration");
  const json done = wait_done(batch["id"]);
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["request_counts"]["completed"], 3);
  EXPECT_EQ(done["request_counts"]["failed"], 0);
  EXPECT_TRUE(done["error_file_id"].is_null());
  EXPECT_TRUE(done["completed_at"].is_number());

  std::vector<json> lines = lines_of(content(done["output_file_id"]));
  ASSERT_EQ(lines.size(), 3u);
  std::sort(lines.begin(), lines.end(),
            [](const json& a, const json& b) { return a["custom_id"] < b["custom_id"]; });
  for (int i = 0; i < 3; ++i) {
    const json& line = lines[i];
    EXPECT_EQ(line["custom_id"], "req-" + std::to_string(i));
    EXPECT_TRUE(line["error"].is_null());
    EXPECT_EQ(line["response"]["status_code"], 200);
    EXPECT_FALSE(line["response"]["request_id"].get<std::string>().empty());
    const json& body = line["response"]["body"];
    EXPECT_EQ(body["object"], "chat.completion");
    EXPECT_EQ(body["model"], "chat");
    EXPECT_EQ(body["choices"][0]["message"]["content"], "echo: hello " + std::to_string(i));
  }
  EXPECT_EQ(fake_stats()["chat_calls"], 3);

  // The output file is an ordinary file, and the batch an ordinary job.
  const HttpResponse file =
      server_->request("GET", "/v1/files/" + done["output_file_id"].get<std::string>());
  EXPECT_EQ(json::parse(file.body)["purpose"], "batch_output");
  const HttpResponse job =
      server_->request("GET", "/v1/jobs/" + std::to_string(done["job_id"].get<int>()));
  EXPECT_EQ(json::parse(job.body)["workload"], "batch");
  const HttpResponse listed = server_->request("GET", "/v1/batches?limit=5");
  EXPECT_EQ(json::parse(listed.body)["data"][0]["id"], batch["id"]);
}

TEST_F(BatchApi, FailedRequestsGoToTheErrorFileInOpenAiShape) {
  start({"--status", "400"});
  const json batch = create_batch(jsonl(2));
  const json done = wait_done(batch["id"]);
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["request_counts"]["completed"], 0);
  EXPECT_EQ(done["request_counts"]["failed"], 2);
  EXPECT_TRUE(done["output_file_id"].is_null());
  const std::vector<json> lines = lines_of(content(done["error_file_id"]));
  ASSERT_EQ(lines.size(), 2u);
  for (const json& line : lines) {
    EXPECT_EQ(line["response"]["status_code"], 400) << line.dump();
    EXPECT_EQ(line["response"]["body"]["error"]["type"], "invalid_request_error");
    EXPECT_TRUE(line["error"].is_null());
  }
}

TEST_F(BatchApi, UploadErrorsAreClear) {
  start({});
  // Not multipart at all; a multipart body without its closing boundary; the wrong purpose.
  HttpResponse r =
      server_->request("POST", "/v1/files", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 415) << r.body;
  r = server_->request("POST", "/v1/files",
                       "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n",
                       {{"Content-Type", "multipart/form-data; boundary=b"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("closing boundary"), std::string::npos) << r.body;
  r = upload(jsonl(1), "fine-tune");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["param"], "purpose");

  // Unknown files: 404 in OpenAI's words.
  r = server_->request("GET", "/v1/files/file-nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "not_found");
  EXPECT_EQ(server_->request("GET", "/v1/files/file-nope/content").status, 404);
  EXPECT_EQ(server_->request("DELETE", "/v1/files/file-nope").status, 404);

  // A stored file can be listed, read and deleted.
  r = upload(jsonl(1));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string id = json::parse(r.body)["id"];
  EXPECT_EQ(json::parse(server_->request("GET", "/v1/files").body)["data"][0]["id"], id);
  EXPECT_EQ(server_->request("GET", "/v1/files/" + id + "/content").body, jsonl(1));
  EXPECT_EQ(json::parse(server_->request("DELETE", "/v1/files/" + id).body)["deleted"], true);
  EXPECT_EQ(server_->request("GET", "/v1/files/" + id).status, 404);
}

TEST_F(BatchApi, BadBatchesAreRefusedBeforeAnythingRuns) {
  start({});
  const auto create = [&](const json& body) {
    return server_->request("POST", "/v1/batches", body.dump());
  };
  json request = {{"input_file_id", "file-nope"},
                  {"endpoint", "/v1/chat/completions"},
                  {"completion_window", "24h"}};
  HttpResponse r = create(request);
  EXPECT_EQ(r.status, 404) << r.body;

  // A malformed line is named.
  r = upload(jsonl(2) + "{\"custom_id\": \"bad\", \"method\": \"POST\"\n" + jsonl(1, "more-"));
  ASSERT_EQ(r.status, 200) << r.body;
  request["input_file_id"] = json::parse(r.body)["id"];
  r = create(request);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("line 3: not valid JSON"), std::string::npos) << r.body;

  // Duplicate custom_id.
  r = upload(jsonl(2) + jsonl(1));
  request["input_file_id"] = json::parse(r.body)["id"];
  r = create(request);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["message"],
            "line 3: custom_id: \"req-0\" is used by an earlier line")
      << r.body;

  // A good file with a bad request: other endpoint, window, unknown field.
  r = upload(jsonl(1));
  request["input_file_id"] = json::parse(r.body)["id"];
  json other = request;
  other["endpoint"] = "/v1/embeddings";
  EXPECT_EQ(create(other).status, 400);
  other = request;
  other["completion_window"] = "1h";
  EXPECT_EQ(create(other).status, 400);
  other = request;
  other["colour"] = "blue";
  EXPECT_EQ(create(other).status, 400);
  EXPECT_EQ(fake_stats()["chat_calls"], 0);
  EXPECT_EQ(server_->request("GET", "/v1/batches/batch_999").status, 404);
  EXPECT_EQ(server_->request("GET", "/v1/batches/job-1").status, 404);
}

TEST_F(BatchApi, CancelStopsTheRestAndListsItInTheErrorFile) {
  start({"--latency-ms", "300"}, "  resources:\n    chat: {max_concurrent: 1}\n");
  const json batch = create_batch(jsonl(6));
  const std::string id = batch["id"];
  // Wait for the first request to reach the upstream, then cancel.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (fake_stats()["chat_calls"] == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const HttpResponse cancel = server_->request("POST", "/v1/batches/" + id + "/cancel");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  const std::string status = json::parse(cancel.body)["status"];
  EXPECT_TRUE(status == "cancelling" || status == "cancelled") << status;
  const json done = wait_done(id);
  EXPECT_EQ(done["status"], "cancelled");
  EXPECT_TRUE(done["cancelled_at"].is_number());
  const int completed = done["request_counts"]["completed"];
  EXPECT_LT(completed, 6);
  const std::vector<json> errors = lines_of(content(done["error_file_id"]));
  EXPECT_EQ(static_cast<int>(errors.size()), 6 - completed);
  for (const json& line : errors) EXPECT_EQ(line["error"]["code"], "batch_cancelled");
  EXPECT_LT(fake_stats()["chat_calls"].get<int>(), 6);
}

TEST_F(BatchApi, PerModelConcurrencyLimitHolds) {
  start({"--latency-ms", "250"},
        "  worker_threads: 6\n  resources:\n    chat: {max_concurrent: 2}\n");
  const json batch = create_batch(jsonl(8));
  const std::string id = batch["id"];
  EXPECT_EQ(batch["model"], "chat");
  int most = 0;
  std::string status;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (status != "completed" && std::chrono::steady_clock::now() < deadline) {
    most = std::max(most, fake_stats()["in_flight"].get<int>());
    status = get_batch(id).value("status", "");
  }
  EXPECT_EQ(status, "completed");
  EXPECT_LE(most, 2);
  EXPECT_EQ(most, 2);  // and the limit is used, not undershot
  EXPECT_EQ(fake_stats()["chat_calls"], 8);
}

}  // namespace
}  // namespace osprey::testing
