// Runs the osprey-fake-upstream binary the way Node tests and benchmarks do.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "unit/fakes/fake_fixture.h"

namespace osprey::fakes::testing {
namespace {

using nlohmann::json;

// A child process with its stdout on a pipe.
struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child spawn(std::vector<std::string> args) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fdopen(fds[0], "r")};
}

int wait_exit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(FakeUpstreamCli, PrintsItsAddressServesWithFaultsAndStopsOnSigterm) {
  Child child = spawn({OSPREY_FAKE_UPSTREAM_BINARY, "--vendor", "ollama", "--port", "0",
                       "--fail-rate", "1", "--seed", "3"});
  ASSERT_GT(child.pid, 0);
  ASSERT_NE(child.out, nullptr);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, child.out), nullptr);
  const std::string text = line;
  const std::string prefix = "fake-upstream listening on http://127.0.0.1:";
  ASSERT_EQ(text.rfind(prefix, 0), 0u) << text;
  const auto port = static_cast<std::uint16_t>(std::stoi(text.substr(prefix.size())));

  const WireResult r = wire_call(port, "POST", "/api/chat", {},
                                 R"({"model":"m","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(json_of(r)["error"].is_string());
  const json stats = json_of(wire_call(port, "GET", "/_fake/stats"));
  EXPECT_EQ(stats["vendor"], "ollama");
  EXPECT_EQ(stats["chat_calls"], 1);

  kill(child.pid, SIGTERM);
  EXPECT_EQ(wait_exit(child.pid), 0);
  std::fclose(child.out);
}

TEST(FakeUpstreamCli, BadFlagsExitWithUsage) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{OSPREY_FAKE_UPSTREAM_BINARY, "--vendor", "nope"},
        std::vector<std::string>{OSPREY_FAKE_UPSTREAM_BINARY, "--vendor", "openai", "--fail-rate",
                                 "2"},
        std::vector<std::string>{OSPREY_FAKE_UPSTREAM_BINARY, "--port", "1"}}) {
    Child child = spawn(args);
    ASSERT_GT(child.pid, 0);
    EXPECT_EQ(wait_exit(child.pid), 2) << args[1] << " " << args[2];
    std::fclose(child.out);
  }
}

}  // namespace
}  // namespace osprey::fakes::testing
