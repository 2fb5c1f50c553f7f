// read_whole_file: the bytes as written (binary, NULs included); a missing file is kInternal.
#include "core/whole_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace osprey {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("osprey_whole_file_" +
           std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" + name))
      .string();
}

TEST(WholeFile, ReadsEveryByte) {
  const std::string path = temp_path("bytes");
  const std::string content = std::string("line 1\r\nline 2\n") + '\0' + "tail";
  {
    std::ofstream out(path, std::ios::binary);
    out << content;
  }
  auto read = read_whole_file(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read.value(), content);
}

TEST(WholeFile, EmptyFileIsEmpty) {
  const std::string path = temp_path("empty");
  { std::ofstream out(path, std::ios::binary); }
  auto read = read_whole_file(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read.value(), "");
}

TEST(WholeFile, MissingFileIsAnError) {
  const std::string path = temp_path("missing");
  auto read = read_whole_file(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.code(), ErrorCode::kInternal);
  EXPECT_NE(read.error().message.find(path), std::string::npos);
}

}  // namespace
}  // namespace osprey
