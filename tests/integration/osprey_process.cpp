#include "osprey_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace osprey::testing {
namespace {

using Clock = std::chrono::steady_clock;

// fork + exec with stdout/stderr redirected to files; stdin from /dev/null.
pid_t spawn(const std::vector<std::string>& args,
            const std::vector<std::pair<std::string, std::string>>& env,
            const std::string& out_path, const std::string& err_path) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe-ish calls until exec.
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  FILE* in = std::freopen("/dev/null", "r", stdin);
  FILE* out = std::freopen(out_path.c_str(), "w", stdout);
  FILE* err = std::freopen(err_path.c_str(), "w", stderr);
  if (in == nullptr || out == nullptr || err == nullptr) ::_exit(126);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string osprey_binary() {
  const char* p = std::getenv("OSPREY_BINARY");
  return p ? p : OSPREY_BINARY_DEFAULT;
}

std::string source_dir() {
  const char* p = std::getenv("OSPREY_SOURCE_DIR");
  return p ? p : OSPREY_SOURCE_DIR_DEFAULT;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

TempDir::TempDir() {
  std::string tmpl = "/tmp/osprey-test-XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  path_ = p ? p : "";
}

TempDir::~TempDir() {
  if (path_.empty() || std::getenv("OSPREY_KEEP_TEMP")) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<OspreyProcess> OspreyProcess::start(ProcessOptions options) {
  std::unique_ptr<OspreyProcess> p(new OspreyProcess());
  p->own_dir_ = std::make_unique<TempDir>();
  p->data_dir_ = options.data_dir.empty() ? p->own_dir_->path() + "/data" : options.data_dir;
  p->stdout_path_ = p->own_dir_->path() + "/stdout.log";
  p->stderr_path_ = p->own_dir_->path() + "/stderr.log";
  std::vector<std::string> args = {osprey_binary(), "serve",      "--listen",
                                   "127.0.0.1:0",   "--data-dir", p->data_dir_};
  if (options.debug_endpoints) {
    args.push_back("--set");
    args.push_back("server.debug_endpoints=true");
  }
  args.insert(args.end(), options.args.begin(), options.args.end());
  p->pid_ = spawn(args, options.env, p->stdout_path_, p->stderr_path_);

  const auto deadline = Clock::now() + options.start_timeout;
  const std::string marker = "osprey listening on http://";
  while (Clock::now() < deadline) {
    std::string out = p->stdout_text();
    auto at = out.find(marker);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
      auto colon = out.rfind(':', out.find('\n', at));
      p->port_ = static_cast<std::uint16_t>(std::atoi(out.c_str() + colon + 1));
      p->admin_key_ = parse_admin_key(out);
      if (p->admin_key_.empty()) p->admin_key_ = options.admin_key;
      return p;
    }
    if (!p->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "osprey did not start; exit=" << p->exit_code_ << "\nstdout:\n"
                << p->stdout_text() << "\nstderr:\n"
                << p->stderr_text();
  return nullptr;
}

std::string parse_admin_key(const std::string& stdout_text) {
  const auto at = stdout_text.find(kAdminKeyMarker);
  if (at == std::string::npos) return {};
  const auto begin = at + std::strlen(kAdminKeyMarker);
  const auto end = stdout_text.find('\n', begin);
  return stdout_text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::vector<std::pair<std::string, std::string>> OspreyProcess::admin_auth() const {
  return {{"Authorization", "Bearer " + admin_key_}};
}

HttpResponse OspreyProcess::request(const std::string& method, const std::string& target,
                                    const std::string& body,
                                    std::vector<std::pair<std::string, std::string>> headers,
                                    std::chrono::milliseconds timeout) const {
  headers.emplace_back("Authorization", "Bearer " + admin_key_);
  return http_request(port_, method, target, body, headers, timeout);
}

OspreyProcess::~OspreyProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(5));
  }
}

void OspreyProcess::signal(int signo) const { ::kill(pid_, signo); }

bool OspreyProcess::running() {
  if (pid_ <= 0 || exit_code_ != -1) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = decode_status(status);
    return false;
  }
  return r == 0;
}

int OspreyProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

std::string OspreyProcess::stdout_text() const { return read_file(stdout_path_); }
std::string OspreyProcess::stderr_text() const { return read_file(stderr_path_); }

std::vector<std::string> OspreyProcess::log_lines() const {
  std::vector<std::string> lines;
  std::istringstream in(stderr_text());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

CommandResult run_osprey(const std::vector<std::string>& args,
                         const std::vector<std::pair<std::string, std::string>>& env,
                         std::chrono::milliseconds timeout) {
  TempDir dir;
  std::vector<std::string> full = {osprey_binary()};
  full.insert(full.end(), args.begin(), args.end());
  const std::string out_path = dir.path() + "/out";
  const std::string err_path = dir.path() + "/err";
  pid_t pid = spawn(full, env, out_path, err_path);
  CommandResult result;
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      result.exit_code = decode_status(status);
      break;
    }
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

}  // namespace osprey::testing
