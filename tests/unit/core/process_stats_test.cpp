#include "core/process_stats.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>

#include "core/build_info.h"

namespace osprey {
namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

TEST(ProcessStats, ReportsPlausibleFacts) {
  EXPECT_GT(resident_memory_bytes(), 1024 * 1024);  // any C++ process with gtest exceeds 1 MiB
  const double start = process_start_time_seconds();
  EXPECT_LE(start, now_seconds() + 1);
  EXPECT_GT(start, now_seconds() - 24 * 3600);  // a unit test binary started today
  EXPECT_GE(uptime_seconds(), 0);
  EXPECT_NEAR(uptime_seconds(), now_seconds() - start, 1);
}

TEST(ProcessStats, OpenFdsTracksOpenedDescriptors) {
  const int before = open_fds();
  ASSERT_GE(before, 3);
  const int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(open_fds(), before + 1);
  ::close(fd);
  EXPECT_EQ(open_fds(), before);
}

TEST(BuildInfo, VersionAndCommitAreSet) {
  EXPECT_TRUE(std::regex_match(std::string(version()), std::regex(R"(\d+\.\d+\.\d+.*)")))
      << version();
  EXPECT_FALSE(git_commit().empty());
  EXPECT_TRUE(build_type() == "release" || build_type() == "debug");
}

}  // namespace
}  // namespace osprey
