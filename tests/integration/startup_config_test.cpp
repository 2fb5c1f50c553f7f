// An invalid configuration stops start-up with one line that names the key.
#include <gtest/gtest.h>

#include <algorithm>

#include "osprey_process.h"

namespace osprey::testing {
namespace {

void expect_one_line_naming(const CommandResult& r, const std::string& key) {
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, -1) << "start-up hung";
  std::string err = r.err;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 0) << err;
  EXPECT_NE(err.find(key), std::string::npos) << err;
}

TEST(StartupConfig, InvalidFlagValueNamesTheKey) {
  TempDir dir;
  expect_one_line_naming(run_osprey({"serve", "--data-dir", dir.path(), "--listen", "127.0.0.1:0",
                                     "--set", "server.io_threads=abc"}),
                         "server.io_threads");
}

TEST(StartupConfig, InvalidYamlValueNamesTheKey) {
  TempDir dir;
  write_file(dir.path() + "/osprey.yaml", "server:\n  listen: \"nonsense\"\n");
  expect_one_line_naming(
      run_osprey({"serve", "--data-dir", dir.path(), "--config", dir.path() + "/osprey.yaml"}),
      "server.listen");
}

TEST(StartupConfig, InvalidEnvValueNamesTheKey) {
  TempDir dir;
  expect_one_line_naming(run_osprey({"serve", "--data-dir", dir.path(), "--listen", "127.0.0.1:0"},
                                    {{"OSPREY_LOG_LEVEL", "loud"}}),
                         "log.level");
}

TEST(StartupConfig, UnknownYamlKeyNamesTheKey) {
  TempDir dir;
  write_file(dir.path() + "/osprey.yaml", "server:\n  lisen: \"127.0.0.1:0\"\n");
  expect_one_line_naming(
      run_osprey({"serve", "--data-dir", dir.path(), "--config", dir.path() + "/osprey.yaml"}),
      "server.lisen");
}

}  // namespace
}  // namespace osprey::testing
