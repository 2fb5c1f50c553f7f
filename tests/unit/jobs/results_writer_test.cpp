#include "jobs/results_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace osprey::jobs {
namespace {

namespace fs = std::filesystem;

class ResultsWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("osprey-results-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    dir_ = (root_ / "job-1").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path root_;
  std::string dir_;
};

TEST_F(ResultsWriterTest, WritesResultsManifestThenMarker) {
  ResultsWriter w(dir_, 0);
  ASSERT_TRUE(w.begin(0).ok());
  ASSERT_TRUE(w.append(R"({"key":"a","state":"done"})").ok());
  ASSERT_TRUE(w.append(R"({"key":"b","state":"dead"})").ok());
  // Nothing is published before commit.
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "results.jsonl"));
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "_SUCCESS"));
  ASSERT_TRUE(w.commit({{"counts", {{"total", 2}}}}).ok());
  EXPECT_EQ(files(), (std::vector<std::string>{"_SUCCESS", "manifest.json", "results.jsonl"}));
  EXPECT_EQ(slurp(fs::path(dir_) / "results.jsonl"),
            "{\"key\":\"a\",\"state\":\"done\"}\n{\"key\":\"b\",\"state\":\"dead\"}\n");
  EXPECT_EQ(nlohmann::json::parse(slurp(fs::path(dir_) / "manifest.json"))["counts"]["total"], 2);
  EXPECT_EQ(w.bytes_written(), 54u);  // two 26-byte lines and their newlines
}

TEST_F(ResultsWriterTest, BelowTheFloorNothingIsWrittenAndTheErrorSaysWhy) {
  ResultsWriter w(dir_, 1000, [](const std::string&) -> Result<std::uint64_t> { return 1500; });
  Status st = w.begin(600);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kInsufficientStorage);
  EXPECT_NE(st.error().message.find("jobs.min_free_bytes (1000)"), std::string::npos)
      << st.error().message;
  EXPECT_TRUE(files().empty());
  EXPECT_FALSE(w.append("{}").ok());
}

TEST_F(ResultsWriterTest, AbandonedWriteLeavesNoFilesBehind) {
  {
    ResultsWriter w(dir_, 0);
    ASSERT_TRUE(w.begin(0).ok());
    ASSERT_TRUE(w.append("{}").ok());
  }
  EXPECT_TRUE(files().empty());
}

TEST_F(ResultsWriterTest, RewriteRemovesTheOldMarkerBeforeReplacingFiles) {
  {
    ResultsWriter w(dir_, 0);
    ASSERT_TRUE(w.begin(0).ok());
    ASSERT_TRUE(w.append(R"({"key":"old"})").ok());
    ASSERT_TRUE(w.commit(nlohmann::json::object()).ok());
  }
  ResultsWriter again(dir_, 0);
  ASSERT_TRUE(again.begin(0).ok());
  // A crash from here on must not leave the old marker vouching for new, partial files.
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "_SUCCESS"));
  ASSERT_TRUE(again.append(R"({"key":"new"})").ok());
  ASSERT_TRUE(again.commit(nlohmann::json::object()).ok());
  EXPECT_EQ(slurp(fs::path(dir_) / "results.jsonl"), "{\"key\":\"new\"}\n");
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "_SUCCESS"));
}

TEST(StatvfsFreeBytes, ReportsSpaceOrAnError) {
  auto free = statvfs_free_bytes("/tmp");
  ASSERT_TRUE(free.ok());
  EXPECT_GT(free.value(), 0u);
  EXPECT_FALSE(statvfs_free_bytes("/nonexistent/dir").ok());
}

}  // namespace
}  // namespace osprey::jobs
