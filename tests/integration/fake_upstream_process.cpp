#include "integration/fake_upstream_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace osprey::testing {

std::string fake_upstream_binary() {
  if (const char* p = std::getenv("OSPREY_FAKE_UPSTREAM")) return p;
  const std::filesystem::path osprey(osprey_binary());
  return (osprey.parent_path().parent_path() / "tests" / "fakes" / "osprey-fake-upstream").string();
}

FakeUpstreamProcess::FakeUpstreamProcess(const std::vector<std::string>& flags) {
  using namespace std::chrono_literals;
  const std::string out_path = dir_.path() + "/stdout.log";
  std::vector<std::string> args = {fake_upstream_binary(), "--port", "0"};
  args.insert(args.end(), flags.begin(), flags.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const std::string marker = "listening on ";
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until) {
    const std::string out = read_file(out_path);
    const auto at = out.find(marker);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
      url_ = out.substr(at + marker.size(), out.find('\n', at) - at - marker.size());
      port_ = static_cast<std::uint16_t>(std::atoi(url_.c_str() + url_.rfind(':') + 1));
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  ADD_FAILURE() << "fake upstream did not start: " << args[0];
}

FakeUpstreamProcess::~FakeUpstreamProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

}  // namespace osprey::testing
