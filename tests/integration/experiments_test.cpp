// Maze experiments end to end: the real binary runs the `maze` workload on the job engine with an
// LLM agent behind fake upstreams (OpenAI-compatible and Ollama), records every action, and
// serves them over /v1/experiments (list, filter, compare, SSE, cancel, replay) and the CLI.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/fake_upstream_process.h"
#include "integration/osprey_process.h"
#include "support/eventually.h"

namespace osprey::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// A corridor: start (2,6), goal (2,1), walls everywhere else. The fakes always call the first
// tool offered (move_north), so with vision_range 2 the goal is seen after three moves.
json corridor_maze() {
  json grid = json::array();
  for (int y = 0; y < 8; ++y) {
    json row = json::array();
    for (int x = 0; x < 5; ++x) row.push_back(x == 2 && y >= 1 && y <= 6 ? (y == 1 ? 2 : 0) : 1);
    grid.push_back(row);
  }
  return {{"name", "corridor"}, {"width", 5}, {"height", 8}, {"grid_data", grid}};
}

// A box whose north is a wall: moving north never succeeds, so only a limit (or a cancel) ends
// the run. The goal is far off, behind walls.
json walled_maze() {
  json grid = json::array();
  for (int y = 0; y < 9; ++y) {
    json row = json::array();
    for (int x = 0; x < 9; ++x) {
      const bool open = (y == 6 && x >= 1 && x <= 7) || (x == 7 && y >= 1 && y <= 6);
      row.push_back(x == 7 && y == 1 ? 2 : (open ? 0 : 1));
    }
    grid.push_back(row);
  }
  return {{"name", "walled"}, {"width", 9}, {"height", 9}, {"grid_data", grid}};
}

class ExperimentsTest : public ::testing::Test {
 protected:
  // Starts both fakes (extra flags for the OpenAI one) and the server with two LLM models.
  void start(const std::vector<std::string>& openai_flags = {}) {
    std::vector<std::string> flags = {"--vendor", "openai"};
    flags.insert(flags.end(), openai_flags.begin(), openai_flags.end());
    openai_ = std::make_unique<FakeUpstreamProcess>(flags);
    ollama_ = std::make_unique<FakeUpstreamProcess>(std::vector<std::string>{"--vendor", "ollama"});
    ASSERT_FALSE(openai_->url().empty());
    ASSERT_FALSE(ollama_->url().empty());
    const std::string config = dir_.path() + "/osprey.yaml";
    write_file(config,
               "models:\n"
               "  - name: llm-openai\n"
               "    health: {enabled: false}\n"
               "    retry: {max_attempts: 1}\n"
               "    deployments:\n"
               "      - {id: openai@fake, adapter: openai, base_url: " +
                   openai_->url() +
                   ", model: fake-gpt}\n"
                   "  - name: llm-ollama\n"
                   "    health: {enabled: false}\n"
                   "    deployments:\n"
                   "      - {id: ollama@fake, adapter: ollama, base_url: " +
                   ollama_->url() +
                   ", model: fake-llama}\n"
                   "jobs:\n"
                   "  retry_base_delay_ms: 50\n"
                   "  retry_max_delay_ms: 100\n"
                   "experiments:\n"
                   "  action_batch: 2\n"
                   "  events_poll_ms: 50\n");
    server_ = OspreyProcess::start({.args = {"--config", config}});
    ASSERT_NE(server_, nullptr);
  }

  json post(const std::string& path, const json& body, int expected) {
    HttpResponse r =
        server_->request("POST", path, body.dump(), {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, expected) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  json get(const std::string& path, int expected = 200) {
    HttpResponse r = server_->request("GET", path);
    EXPECT_EQ(r.status, expected) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::int64_t create(const json& body) {
    json created = post("/v1/experiments", body, 201);
    if (!created.is_object() || created["data"].size() != 1) {
      ADD_FAILURE() << created.dump();
      return 0;
    }
    return created["data"][0]["id"].get<std::int64_t>();
  }

  // Polls until the experiment has finished; its view with actions.
  json wait_finished(std::int64_t id, std::chrono::seconds timeout = 20s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    json e;
    while (std::chrono::steady_clock::now() < until) {
      e = get("/v1/experiments/" + std::to_string(id));
      const std::string state = e.value("state", "");
      if (state != "queued" && state != "running") return e;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "experiment " << id << " did not finish: " << e.dump();
    return e;
  }

  TempDir dir_;
  std::unique_ptr<FakeUpstreamProcess> openai_;
  std::unique_ptr<FakeUpstreamProcess> ollama_;
  std::unique_ptr<OspreyProcess> server_;
};

TEST_F(ExperimentsTest, LlmAgentThroughOpenAiAndOllamaFakesFindsTheGoal) {
  start();
  for (const std::string model : {"llm-openai", "llm-ollama"}) {
    const std::int64_t id =
        create({{"maze", corridor_maze()},
                {"start", {{"x", 2}, {"y", 6}}},
                {"model_config", {{"model", model}, {"vision_range", 2}, {"temperature", 0.2}}},
                {"comment", "corridor " + model}});
    json e = wait_finished(id);
    EXPECT_EQ(e["state"], "completed") << e.dump();
    EXPECT_EQ(e["outcome"], "goal_found") << e.dump();
    EXPECT_EQ(e["metrics"]["success"], true);
    EXPECT_EQ(e["metrics"]["successful_moves"], 3);
    EXPECT_EQ(e["maze"]["grid_data"], corridor_maze()["grid_data"]);
    ASSERT_EQ(e["actions"].size(), 3u) << e["actions"].dump();
    for (std::size_t i = 0; i < 3; ++i) {
      const json& a = e["actions"][i];
      EXPECT_EQ(a["step"], static_cast<int>(i) + 1);
      EXPECT_EQ(a["action_type"], "move_north");
      EXPECT_EQ(a["success"], true);
      EXPECT_EQ(a["from"]["y"], 6 - static_cast<int>(i));
      EXPECT_EQ(a["to"]["y"], 5 - static_cast<int>(i));
      EXPECT_FALSE(a["tiles_seen"].empty());
      EXPECT_GT(a["tokens_in"].get<int>(), 0);  // the fake's usage reaches each turn's action
    }
  }
  // The job behind it, and the per-model Prometheus metrics.
  const std::string metrics = server_->request("GET", "/metrics").body;
  EXPECT_NE(metrics.find("osprey_experiments_started_total{model=\"llm-ollama\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("osprey_experiments_succeeded_total{model=\"llm-openai\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("osprey_experiment_duration_seconds_count{model=\"llm-openai\"} 1"),
            std::string::npos);
}

TEST_F(ExperimentsTest, ModelThatNeverCallsAToolEndsByTheLimitsWithNoToolCallRows) {
  start({"--ignore-tools"});
  const std::int64_t id = create({{"maze", corridor_maze()},
                                  {"start", {{"x", 2}, {"y", 6}}},
                                  {"model_config", {{"model", "llm-openai"}, {"max_turns", 4}}}});
  json e = wait_finished(id);
  EXPECT_EQ(e["state"], "completed") << e.dump();
  EXPECT_EQ(e["outcome"], "max_turns");
  EXPECT_EQ(e["metrics"]["success"], false);
  ASSERT_EQ(e["actions"].size(), 4u);
  for (const json& a : e["actions"]) {
    EXPECT_EQ(a["action_type"], "no_tool_call");
    EXPECT_EQ(a["success"], false);
    EXPECT_EQ(a["from"], a["to"]);
  }
  EXPECT_EQ(e["metrics"]["no_tool_calls"], 4);
}

TEST_F(ExperimentsTest, FailingUpstreamRetriesThenDeadLettersNeverHangs) {
  start({"--status", "500"});
  const std::int64_t id = create({{"maze", corridor_maze()},
                                  {"start", {{"x", 2}, {"y", 6}}},
                                  {"max_attempts", 2},
                                  {"model_config", {{"model", "llm-openai"}}}});
  json e = wait_finished(id);
  EXPECT_EQ(e["state"], "failed") << e.dump();
  EXPECT_EQ(e["outcome"], "error");
  EXPECT_EQ(e["attempts"], 2);
  EXPECT_NE(e["error"].get<std::string>().find("attempt 2"), std::string::npos) << e.dump();
  const std::string job = std::to_string(e["job_id"].get<std::int64_t>());
  // The experiment is marked failed inside the item's last attempt; the engine records the dead
  // letter once that attempt has returned, so poll for it.
  json dead;
  eventually([&] {
    dead = get("/v1/jobs/" + job + "/dead-letters");
    return !dead["data"].empty();
  });
  ASSERT_EQ(dead["data"].size(), 1u) << dead.dump();
  EXPECT_EQ(dead["data"][0]["attempts"], 2);
  const std::string metrics = server_->request("GET", "/metrics").body;
  EXPECT_NE(
      metrics.find("osprey_experiments_failed_total{model=\"llm-openai\",reason=\"error\"} 1"),
      std::string::npos);
}

TEST_F(ExperimentsTest, CancelStopsARunningExperimentAndItsJob) {
  start({"--latency-ms", "20"});
  const std::int64_t id =
      create({{"maze", walled_maze()},
              {"start", {{"x", 1}, {"y", 6}}},
              {"model_config", {{"model", "llm-openai"}, {"max_turns", 100000}}}});
  // Running, with some actions recorded.
  const auto until = std::chrono::steady_clock::now() + 10s;
  json e;
  while (std::chrono::steady_clock::now() < until) {
    e = get("/v1/experiments/" + std::to_string(id));
    if (e["actions"].size() >= 3) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_GE(e["actions"].size(), 3u) << e.dump();
  json cancelled = post("/v1/experiments/" + std::to_string(id) + "/cancel", json::object(), 200);
  EXPECT_EQ(cancelled["state"], "cancelled");
  // The run stops after its current action (it looks about once a second); its item settles and
  // the job, with nothing left to run, ends cancelled.
  const std::string job = std::to_string(cancelled["job_id"].get<std::int64_t>());
  const auto job_until = std::chrono::steady_clock::now() + 10s;
  json j;
  while (std::chrono::steady_clock::now() < job_until) {
    j = get("/v1/jobs/" + job);
    if (j["state"] != "running" && j["state"] != "queued") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(j["state"], "cancelled") << j.dump();
  e = get("/v1/experiments/" + std::to_string(id));
  EXPECT_EQ(e["state"], "cancelled");
  EXPECT_EQ(e["outcome"], "cancelled");
  EXPECT_EQ(e["metrics"]["end_reason"], "cancelled") << e.dump();
  // No action is added once it has stopped.
  const std::size_t recorded = e["actions"].size();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(get("/v1/experiments/" + std::to_string(id))["actions"].size(), recorded);
}

TEST_F(ExperimentsTest, ReplayRerunsTheRecordedConfigWithTheSameActions) {
  start();
  const std::int64_t id =
      create({{"maze", corridor_maze()},
              {"start", {{"x", 2}, {"y", 6}}},
              {"comment", "original"},
              {"model_config", {{"model", "llm-ollama"}, {"vision_range", 2}, {"seed", 77}}}});
  json first = wait_finished(id);
  json replay = post("/v1/experiments/" + std::to_string(id) + "/replay", json::object(), 201);
  EXPECT_EQ(replay["replay_of"], id);
  EXPECT_EQ(replay["model_config"], first["model_config"]);
  EXPECT_EQ(replay["seed"], 77);
  json second = wait_finished(replay["id"].get<std::int64_t>());
  EXPECT_EQ(second["state"], "completed");
  ASSERT_EQ(second["actions"].size(), first["actions"].size());
  for (std::size_t i = 0; i < first["actions"].size(); ++i) {
    for (const char* field : {"action_type", "from", "to", "success", "tiles_seen"}) {
      EXPECT_EQ(second["actions"][i][field], first["actions"][i][field]) << i << " " << field;
    }
  }
}

TEST_F(ExperimentsTest, SweepFilterCompareEventsAndCli) {
  start();
  json sweep = post("/v1/experiments",
                    {{"mazes", {corridor_maze()}},
                     {"start", {{"x", 2}, {"y", 6}}},
                     {"model_configs",
                      {{{"model", "llm-openai"}, {"vision_range", 2}, {"temperature", 0.1}},
                       {{"model", "llm-openai"}, {"vision_range", 1}, {"temperature", 0.7}}}},
                     {"repetitions", 2},
                     {"comment", "Temperature sweep"}},
                    201);
  ASSERT_EQ(sweep["data"].size(), 4u) << sweep.dump();
  EXPECT_EQ(sweep["data"][0]["job_id"], sweep["data"][3]["job_id"]);  // one model, one job
  for (const json& e : sweep["data"]) wait_finished(e["id"].get<std::int64_t>());

  json hot = get("/v1/experiments?model_config.temperature=0.7&comment=temperature");
  ASSERT_EQ(hot["data"].size(), 2u) << hot.dump();
  for (const json& e : hot["data"]) EXPECT_EQ(e["model_config"]["temperature"], 0.7);
  EXPECT_EQ(get("/v1/experiments?model=llm-ollama")["data"].size(), 0u);
  EXPECT_EQ(get("/v1/experiments?outcome=goal_found&model=llm-openai")["data"].size(), 4u);

  json table = get("/v1/experiments/compare?group_by=model,model_config.temperature");
  ASSERT_EQ(table["data"].size(), 2u) << table.dump();
  for (const json& row : table["data"]) {
    EXPECT_EQ(row["experiments"], 2);
    EXPECT_EQ(row["success_rate"], 1.0);
    EXPECT_EQ(row["group"]["model"], "llm-openai");
  }
  // Vision 1 needs one move more than vision 2 in the corridor.
  EXPECT_EQ(table["data"][0]["group"]["model_config.temperature"], 0.1);
  EXPECT_EQ(table["data"][0]["mean_moves"], 3.0);
  EXPECT_EQ(table["data"][1]["mean_moves"], 4.0);

  // SSE of a finished run: every action (id = step), then done; Last-Event-ID resumes.
  const std::string id = std::to_string(sweep["data"][0]["id"].get<std::int64_t>());
  HttpResponse all = server_->request("GET", "/v1/experiments/" + id + "/events");
  EXPECT_EQ(all.status, 200);
  EXPECT_NE(all.body.find("event: action\nid: 1\n"), std::string::npos) << all.body;
  EXPECT_NE(all.body.find("id: 3\n"), std::string::npos);
  EXPECT_NE(all.body.find("event: done\n"), std::string::npos);
  HttpResponse resumed =
      server_->request("GET", "/v1/experiments/" + id + "/events", "", {{"Last-Event-ID", "2"}});
  EXPECT_EQ(resumed.body.find("id: 1\n"), std::string::npos) << resumed.body;
  EXPECT_EQ(resumed.body.find("id: 2\n"), std::string::npos);
  EXPECT_NE(resumed.body.find("id: 3\n"), std::string::npos);

  // Errors name the field; another experiment id is 404.
  json bad =
      post("/v1/experiments", {{"maze", "no_such_maze"}, {"model_config", {{"model", "m"}}}}, 404);
  EXPECT_EQ(bad["error"]["code"], "not_found");
  bad =
      post("/v1/experiments",
           {{"maze", corridor_maze()}, {"model_config", {{"model", "m"}, {"max_movez", 3}}}}, 400);
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("max_movez"), std::string::npos);
  get("/v1/experiments/999999", 404);
  get("/v1/experiments?bogus=1", 400);

  // The CLI runs one experiment on the server and prints its outcome and metrics.
  const std::string maze_file = dir_.path() + "/corridor.json";
  write_file(maze_file, corridor_maze().dump());
  CommandResult cli = run_osprey({"maze", "run", "--maze", maze_file, "--model", "llm-ollama",
                                  "--start", "2,6", "--vision-range", "2", "--url",
                                  "http://127.0.0.1:" + std::to_string(server_->port()), "--key",
                                  server_->admin_key()});
  EXPECT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  EXPECT_NE(cli.out.find("completed / goal_found"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("moves 3"), std::string::npos) << cli.out;

  // sweep FILE, show and compare: a body file read whole, replies printed for people.
  const std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  const std::string body_file = dir_.path() + "/sweep.json";
  write_file(body_file, json{{"maze", corridor_maze()},
                             {"start", {{"x", 2}, {"y", 6}}},
                             {"model_config", {{"model", "llm-ollama"}, {"vision_range", 2}}}}
                            .dump());
  CommandResult swept =
      run_osprey({"maze", "sweep", body_file, "--url", url, "--key", server_->admin_key()});
  EXPECT_EQ(swept.exit_code, 0) << swept.out << swept.err;
  EXPECT_NE(swept.out.find("completed / goal_found"), std::string::npos) << swept.out;
  CommandResult shown =
      run_osprey({"maze", "show", id, "--url", url, "--key", server_->admin_key()});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("experiment " + id + ": completed / goal_found"), std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("3 action(s) recorded"), std::string::npos) << shown.out;
  CommandResult compared = run_osprey(
      {"maze", "compare", "--group-by", "model", "--url", url, "--key", server_->admin_key()});
  EXPECT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_NE(compared.out.find("{\"model\":\"llm-openai\"}"), std::string::npos) << compared.out;
}

}  // namespace
}  // namespace osprey::testing
