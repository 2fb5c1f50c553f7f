#pragma once
// OspreyProcess: starts the real `osprey serve` binary on an ephemeral port with a temporary data
// dir, for integration tests that talk to it over HTTP, signal it and read its JSON logs.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http_client.h"

namespace osprey::testing {

// A directory under /tmp removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ProcessOptions {
  std::vector<std::string> args;                         // extra arguments after `serve`
  std::vector<std::pair<std::string, std::string>> env;  // extra environment
  bool debug_endpoints = true;
  std::string data_dir;  // default: a fresh temp dir owned by the process object
  std::chrono::milliseconds start_timeout{15000};
  // The admin key to use when this start prints none (a restart on a data dir or database that
  // already has one).
  std::string admin_key;
};

class OspreyProcess {
 public:
  // Starts the server and waits for its "osprey listening on" line. On failure the test fails
  // (ADD_FAILURE) and the returned pointer is null.
  static std::unique_ptr<OspreyProcess> start(ProcessOptions options = {});
  ~OspreyProcess();

  std::uint16_t port() const { return port_; }
  // The admin key printed on the first start of this data dir; empty when the store already
  // had one (a restart on the same data dir).
  const std::string& admin_key() const { return admin_key_; }
  // {"Authorization", "Bearer <admin key>"}, for requests to /v1 and /admin.
  std::vector<std::pair<std::string, std::string>> admin_auth() const;
  // One request on a fresh connection carrying the admin key (for /v1 and /admin routes).
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       std::vector<std::pair<std::string, std::string>> headers = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

  void signal(int signo) const;
  // Waits for the process to exit; returns its exit code, 128+signal if killed, or -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout);
  bool running();

  std::string stdout_text() const;
  std::string stderr_text() const;
  // stderr split into lines (the JSON log).
  std::vector<std::string> log_lines() const;

 private:
  OspreyProcess() = default;
  std::unique_ptr<TempDir> own_dir_;
  std::string data_dir_;
  std::string stdout_path_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::uint16_t port_ = 0;
  std::string admin_key_;
};

// The line `osprey serve` prints once with a new admin key.
inline constexpr char kAdminKeyMarker[] = "osprey admin key (shown once): ";
// The admin key printed in `stdout_text`, or empty.
std::string parse_admin_key(const std::string& stdout_text);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `osprey <args...>` to completion (CLI subcommands, failing start-ups).
CommandResult run_osprey(const std::vector<std::string>& args,
                         const std::vector<std::pair<std::string, std::string>>& env = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Path of the osprey binary under test (env OSPREY_BINARY, set by CTest).
std::string osprey_binary();
// The source tree (env OSPREY_SOURCE_DIR, set by CTest).
std::string source_dir();
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace osprey::testing
