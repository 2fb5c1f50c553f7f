#include "cli/api_client.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace osprey::cli {
namespace {

TEST(ReadInput, ReadsAFileWholeAndFailsForAMissingOne) {
  const std::string path = "/tmp/osprey_read_input_" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream out(path);
    out << "{\"workload\": \"maze\"}\nsecond line\n";
  }
  auto text = read_input(path);
  std::remove(path.c_str());
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "{\"workload\": \"maze\"}\nsecond line\n");
  EXPECT_FALSE(read_input(path).has_value());
}

}  // namespace
}  // namespace osprey::cli
