#include "jobs_api.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace osprey::testing {

nlohmann::json submit_job(const OspreyProcess& server, const nlohmann::json& body,
                          const Headers& headers) {
  HttpResponse r = server.request("POST", "/v1/jobs", body.dump(), headers);
  if (r.status != 200 && r.status != 201) {
    ADD_FAILURE() << "submit: HTTP " << r.status << " " << r.body;
    return nullptr;
  }
  return nlohmann::json::parse(r.body);
}

nlohmann::json get_job(const OspreyProcess& server, std::int64_t id, const Headers& headers) {
  HttpResponse r = server.request("GET", "/v1/jobs/" + std::to_string(id), "", headers);
  if (r.status != 200) return nullptr;
  return nlohmann::json::parse(r.body, nullptr, false);
}

nlohmann::json wait_finished(const OspreyProcess& server, std::int64_t id,
                             std::chrono::seconds timeout, const Headers& headers) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  nlohmann::json job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = get_job(server, id, headers);
    if (job.is_object()) {
      const std::string state = job.value("state", "");
      if (state != "queued" && state != "running") return job;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "job " << id << " did not finish in time: " << job.dump();
  return job;
}

std::vector<nlohmann::json> job_results(const OspreyProcess& server, std::int64_t id,
                                        const Headers& headers) {
  HttpResponse r = server.request("GET", "/v1/jobs/" + std::to_string(id) + "/results", "", headers,
                                  std::chrono::seconds(60));
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<nlohmann::json> lines;
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

std::string fresh_pg_database(const std::string& name_prefix) {
  const char* env = std::getenv("OSPREY_TEST_PG_URL");
  if (env == nullptr || *env == '\0') return {};
  const std::string url = env;
  static std::atomic<int> counter{0};
  const std::string name =
      name_prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1)) +
      "_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
  const std::string cmd = "psql -q '" + url + "' -c 'CREATE DATABASE " + name + "' >/dev/null";
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "cannot create database " << name << " on " << url;
    return {};
  }
  // Same server and credentials, other database: replace the path after the last '/'.
  const auto query = url.find('?');
  const std::string base = url.substr(0, query);
  return base.substr(0, base.rfind('/') + 1) + name +
         (query == std::string::npos ? "" : url.substr(query));
}

std::unique_ptr<OspreyProcess> start_jobs_server(std::vector<std::string> args,
                                                 std::string data_dir, std::string admin_key) {
  std::vector<std::string> all = {"--set", "jobs.poll_ms=50"};
  all.insert(all.end(), args.begin(), args.end());
  return OspreyProcess::start(
      {.args = all, .data_dir = std::move(data_dir), .admin_key = std::move(admin_key)});
}

}  // namespace osprey::testing
