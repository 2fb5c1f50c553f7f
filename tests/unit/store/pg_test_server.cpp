#include "unit/store/pg_test_server.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>

#include "unit/store/sqlite_test_database.h"

namespace osprey::store::testing {
namespace {

constexpr const char* kInitdb = "/usr/lib/postgresql/15/bin/initdb";

struct ServerState {
  std::mutex mutex;                        // guards everything below
  std::optional<Result<std::string>> url;  // set once: the URL, or why there is none
  std::string started_dir;                 // non-empty if this process started a cluster
};

ServerState& state() {
  static ServerState s;
  return s;
}

std::string source_dir() {
  const char* env = std::getenv("OSPREY_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : OSPREY_TEST_DEFAULT_SOURCE_DIR;
}

// Runs a command through the shell; returns its exit status and stdout.
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, out};
  char buffer[512];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

Result<std::string> start_server(std::string* started_dir) {
  if (!std::filesystem::exists(kInitdb)) {
    return make_error(ErrorCode::kUnavailable,
                      std::string("PostgreSQL server binaries are missing (") + kInitdb +
                          "): install the Debian package postgresql-15, or set "
                          "OSPREY_TEST_PG_URL to an existing server");
  }
  // Short path: the server's unix socket lives inside and must fit in 107 bytes.
  const std::string dir = make_temp_directory("osprey-pg-");
  if (dir.empty()) return make_error(ErrorCode::kInternal, "mkdtemp failed");
  const std::string script = source_dir() + "/scripts/pg-test-server.sh";
  auto [status, out] = run("bash '" + script + "' start '" + dir + "'");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (status != 0 || out.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return make_error(
        ErrorCode::kUnavailable,
        script + " start failed (exit " + std::to_string(status) + "); see its stderr above");
  }
  *started_dir = dir;
  return out;
}

// Stops the cluster when the test binary ends (even if no test asked for it, nothing runs).
class PgTestEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { stop_pg_test_server(); }
};

// gtest takes ownership of the environment.
[[maybe_unused]] ::testing::Environment* const kEnvironment = ::testing::AddGlobalTestEnvironment(
    new PgTestEnvironment);  // NOLINT(cppcoreguidelines-owning-memory)

}  // namespace

Result<std::string> pg_test_server_url() {
  ServerState& s = state();
  std::lock_guard lock(s.mutex);
  if (!s.url) {
    const char* env = std::getenv("OSPREY_TEST_PG_URL");
    if (env != nullptr && *env != '\0') {
      s.url = Result<std::string>(std::string(env));
    } else {
      s.url = start_server(&s.started_dir);
    }
  }
  return *s.url;
}

void stop_pg_test_server() {
  ServerState& s = state();
  std::lock_guard lock(s.mutex);
  if (s.started_dir.empty()) return;
  const std::string script = source_dir() + "/scripts/pg-test-server.sh";
  auto [status, out] = run("bash '" + script + "' stop '" + s.started_dir + "'");
  if (status != 0) ADD_FAILURE() << "stopping the test PostgreSQL server failed: " << out;
  std::error_code ec;
  std::filesystem::remove_all(s.started_dir, ec);
  s.started_dir.clear();
  s.url.reset();
}

std::string with_database(const std::string& url, const std::string& database) {
  const std::size_t query = url.find('?');
  const std::string base = url.substr(0, query);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  const std::size_t authority = base.find("://");
  const std::size_t slash = base.find('/', authority == std::string::npos ? 0 : authority + 3);
  const std::string host_part = slash == std::string::npos ? base : base.substr(0, slash);
  return host_part + "/" + database + rest;
}

}  // namespace osprey::store::testing
