#include "jobs/exec_workload.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "jobs/subprocess.h"

namespace osprey::jobs {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

ExecWorkload workload_with(const std::string& script, std::chrono::milliseconds timeout = 10s) {
  ExecRunner r;
  r.command = {"/bin/sh", "-c", script};
  r.timeout = timeout;
  r.resource = "model-a";
  return ExecWorkload({{"r", r}}, 100);
}

ItemResult run_one(const ExecWorkload& w, int attempt = 1) {
  const json spec = {{"runner", "r"}, {"items", {{{"key", "k1"}, {"input", {{"x", 7}}}}}}};
  WorkItem item;
  item.job_id = 42;
  item.key = "k1";
  item.input = {{"x", 7}};
  item.spec = &spec;
  item.attempt = attempt;
  return w.run(item, RunContext{});
}

TEST(ExecWorkload, ValidatesRunnerAndItems) {
  ExecWorkload w = workload_with("true");
  EXPECT_EQ(w.validate({{"items", json::array()}}).error().message,
            "spec.runner: must be a string");
  EXPECT_EQ(w.validate({{"runner", "nope"}, {"items", {{{"key", "a"}}}}}).error().message,
            "spec.runner: no runner \"nope\" is configured (workloads.exec.runners)");
  EXPECT_EQ(w.validate({{"runner", "r"}, {"items", json::array()}}).error().message,
            "spec.items: must not be empty");
  EXPECT_EQ(
      w.validate({{"runner", "r"}, {"command", "rm"}, {"items", {{{"key", "a"}}}}}).error().message,
      "spec.command: unknown field");
  EXPECT_TRUE(w.validate({{"runner", "r"}, {"items", {{{"key", "a"}}}}}).ok());
  EXPECT_EQ(w.resource_key({{"runner", "r"}}), "model-a");
}

TEST(ExecWorkload, ItemArrivesOnStdinAndStdoutIsTheResult) {
  // The runner echoes its stdin back inside an object, with a cost.
  ExecWorkload w = workload_with(R"(read line; printf '{"got":%s,"cost_micros":12}' "$line")");
  ItemResult r = run_one(w, 2);
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error_message;
  EXPECT_EQ(r.output["got"]["key"], "k1");
  EXPECT_EQ(r.output["got"]["job_id"], 42);
  EXPECT_EQ(r.output["got"]["attempt"], 2);
  EXPECT_EQ(r.output["got"]["input"]["x"], 7);
  EXPECT_EQ(r.cost_micros, 12);
}

TEST(ExecWorkload, ExitCodesMapToOutcomesWithStderr) {
  ItemResult retry = run_one(workload_with("echo 'model busy' >&2; exit 75"));
  EXPECT_EQ(retry.outcome, Outcome::kRetryable);
  EXPECT_EQ(retry.error_code, "exit_75");
  EXPECT_EQ(retry.error_message, "exit code 75: model busy");

  ItemResult other = run_one(workload_with("exit 3"));
  EXPECT_EQ(other.outcome, Outcome::kRetryable);
  EXPECT_EQ(other.error_code, "exit_3");

  ItemResult permanent = run_one(workload_with("echo 'bad input' >&2; exit 65"));
  EXPECT_EQ(permanent.outcome, Outcome::kPermanent);
  EXPECT_EQ(permanent.error_message, "exit code 65: bad input");

  ItemResult limited = run_one(workload_with(R"(echo '{"retry_after_ms":1500}'; exit 76)"));
  EXPECT_EQ(limited.outcome, Outcome::kRateLimited);
  ASSERT_TRUE(limited.retry_after.has_value());
  EXPECT_EQ(*limited.retry_after, 1500ms);

  ItemResult garbage = run_one(workload_with("echo 'not json'"));
  EXPECT_EQ(garbage.outcome, Outcome::kPermanent);
  EXPECT_EQ(garbage.error_code, "bad_output");

  ItemResult killed = run_one(workload_with("kill -9 $$"));
  EXPECT_EQ(killed.outcome, Outcome::kRetryable);
  EXPECT_EQ(killed.error_code, "signal_9");
}

TEST(ExecWorkload, MissingExecutableIsRetryable) {
  ExecRunner r;
  r.command = {"/nonexistent/runner"};
  ExecWorkload w({{"r", r}}, 10);
  ItemResult res = run_one(w);
  EXPECT_EQ(res.outcome, Outcome::kRetryable);
  // posix_spawnp reports a missing file as the child's exit 127.
  EXPECT_TRUE(res.error_code == "spawn_failed" || res.error_code == "exit_127") << res.error_code;
}

TEST(Subprocess, TimeoutKillsTheWholeProcessGroup) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("osprey-exec-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string pid_file = (dir / "grandchild").string();
  SubprocessOptions o;
  // A grandchild that would outlive its parent, holding the output pipe open.
  o.argv = {"/bin/sh", "-c", "sleep 30 & echo $! > " + pid_file + "; wait"};
  o.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_subprocess(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  std::ifstream in(pid_file);
  pid_t grandchild = 0;
  ASSERT_TRUE(in >> grandchild);
  // Reaped by init shortly after the kill; poll instead of sleeping a fixed time.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    std::string content;
    std::getline(stat, content);
    gone = !stat || content.find(") Z") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " survived the timeout";
  std::filesystem::remove_all(dir);
}

TEST(Subprocess, LargeStdinAndStdoutDoNotDeadlock) {
  SubprocessOptions o;
  o.argv = {"cat"};
  o.stdin_data.assign(4 * 1024 * 1024, 'x');
  auto r = run_subprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_data.size(), o.stdin_data.size());
}

TEST(Subprocess, KeepsOnlyTheTailOfStderr) {
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a >&2; echo END >&2"};
  o.max_stderr_bytes = 100;
  auto r = run_subprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stderr_tail.size(), 100u);
  EXPECT_EQ(r->stderr_tail.substr(96), "END\n");
}

}  // namespace
}  // namespace osprey::jobs
