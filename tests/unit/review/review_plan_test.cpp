#include "review/review_plan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "review_fixture.h"

namespace osprey::review {
namespace {

using Strings = std::vector<std::string>;

class ReviewPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = parse_rule_set_text(testing::kMultiLanguageRules);
    ASSERT_TRUE(set.ok()) << set.error().message;
    rules_ = std::move(set.value());
    auto repo = list_repository(testing::fixture_repo());
    ASSERT_TRUE(repo.ok()) << repo.error().message;
    repo_ = std::move(repo.value());
  }

  const ReviewTask* task(const ReviewPlan& plan, const std::string& file, const Strings& rules) {
    for (const ReviewTask& t : plan.tasks) {
      if (t.file == file && t.rule_ids == rules) return &t;
    }
    ADD_FAILURE() << "no task for " << file;
    return nullptr;
  }

  RuleSet rules_;
  Repository repo_;
};

TEST_F(ReviewPlanTest, ListingIsSortedRelativeAndComplete) {
  Strings paths;
  for (const RepoFile& f : repo_.files) paths.push_back(f.path);
  EXPECT_EQ(paths,
            (Strings{"cmd/main.go", "docs/README.md", "src/__init__.py", "src/legacy/parser.py",
                     "src/orders/order_manager.py", "src/orders/report.py", "src/orders/service.py",
                     "tests/test_orders.py", "web/app.js"}));
  EXPECT_EQ(repo_.files[2].size, 0u);
  EXPECT_GT(repo_.files[6].size, 0u);
  EXPECT_FALSE(list_repository(testing::fixture_repo() + "/missing").ok());
}

TEST_F(ReviewPlanTest, LanguagesAndCategoriesApplyOnlyWhenTheRepositoryHasTheirFiles) {
  const ReviewPlan plan = plan_review(rules_, repo_.files, {});
  EXPECT_EQ(plan.languages, (Strings{"python", "javascript"}));
  // django needs manage.py; spring needs a Java file.
  EXPECT_EQ(plan.categories, (Strings{"python-general", "web"}));
  for (const ReviewTask& t : plan.tasks) {
    for (const std::string& id : t.rule_ids) {
      EXPECT_NE(id, "DJ1");
      EXPECT_NE(id, "SP1");
    }
  }
}

TEST_F(ReviewPlanTest, RulesMatchFilesThroughTheirOwnCategoryOrLanguageGlobs) {
  const ReviewPlan plan = plan_review(rules_, repo_.files, {});
  EXPECT_EQ(plan.files_in_repository, 9u);
  EXPECT_EQ(plan.files_to_review, 6u);
  EXPECT_TRUE(plan.issues.empty());
  ASSERT_EQ(plan.tasks.size(), 10u);
  // Files no rule applies to: other languages, and tests excluded by the language's globs.
  for (const ReviewTask& t : plan.tasks) {
    EXPECT_NE(t.file, "cmd/main.go");
    EXPECT_NE(t.file, "docs/README.md");
    EXPECT_NE(t.file, "tests/test_orders.py");
  }
  // Rule 3's own patterns (src/orders/*.py) and excludePatterns (report.py).
  task(plan, "src/orders/service.py", {"PY1", "3"});
  task(plan, "src/orders/report.py", {"PY1"});
  task(plan, "src/legacy/parser.py", {"PY1"});
  // The web category's default patterns.
  const ReviewTask* js = task(plan, "web/app.js", {"JS1"});
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->category, "web");
  // Custom ids are unique and stable.
  EXPECT_EQ(plan.tasks[0].custom_id, "review-000001");
  EXPECT_EQ(plan.tasks[9].custom_id, "review-000010");
}

TEST_F(ReviewPlanTest, RulesWithContextFilesGetTheirOwnRequest) {
  const ReviewPlan plan = plan_review(rules_, repo_.files, {});
  const ReviewTask* with_context = task(plan, "src/orders/service.py", {"PY2"});
  ASSERT_NE(with_context, nullptr);
  EXPECT_EQ(with_context->context_files, (Strings{"src/orders/order_manager.py"}));
  // The manager itself is not its own context, so PY2 joins the file's other rules.
  const ReviewTask* manager = task(plan, "src/orders/order_manager.py", {"PY1", "PY2", "3"});
  ASSERT_NE(manager, nullptr);
  EXPECT_TRUE(manager->context_files.empty());
}

TEST_F(ReviewPlanTest, LargeGroupsAreSplit) {
  PlanOptions options;
  options.max_rules_per_request = 1;
  const ReviewPlan plan = plan_review(rules_, repo_.files, options);
  // order_manager.py: 3 requests instead of 1; service.py: PY1 and 3 apart.
  EXPECT_EQ(plan.tasks.size(), 13u);
  for (const ReviewTask& t : plan.tasks) EXPECT_EQ(t.rule_ids.size(), 1u);
}

TEST_F(ReviewPlanTest, FilesOverTheSizeLimitArePerFileIssuesAndLeftOutOfContext) {
  PlanOptions options;
  options.max_file_bytes = 200;
  const ReviewPlan plan = plan_review(rules_, repo_.files, options);
  Strings too_large;
  for (const ReviewIssue& i : plan.issues) {
    EXPECT_EQ(i.code, "file_too_large");
    EXPECT_TRUE(i.custom_id.empty());
    EXPECT_FALSE(i.rule_ids.empty());
    too_large.push_back(i.file);
  }
  EXPECT_EQ(too_large, (Strings{"src/orders/order_manager.py", "src/orders/report.py",
                                "src/orders/service.py"}));
  for (const ReviewTask& t : plan.tasks) {
    EXPECT_TRUE(t.file == "src/__init__.py" || t.file == "src/legacy/parser.py" ||
                t.file == "web/app.js")
        << t.file;
    if (t.rule_ids == Strings{"PY2"}) {
      EXPECT_TRUE(t.context_files.empty());
      EXPECT_EQ(t.omitted_context, (Strings{"src/orders/order_manager.py"}));
    }
  }
}

TEST_F(ReviewPlanTest, ContextIsCappedByCount) {
  std::vector<RepoFile> files = {{"src/__init__.py", 0}, {"src/a.py", 10}};
  for (int i = 0; i < 5; ++i) files.push_back({"src/m" + std::to_string(i) + "_manager.py", 10});
  PlanOptions options;
  options.max_context_files = 2;
  const ReviewPlan plan = plan_review(rules_, files, options);
  const ReviewTask* t = task(plan, "src/a.py", {"PY2"});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->context_files, (Strings{"src/m0_manager.py", "src/m1_manager.py"}));
  EXPECT_EQ(t->omitted_context.size(), 3u);
}

TEST(RepositoryTest, SkipsVersionControlDirectoriesAndSymlinks) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("osprey-review-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / ".git" / "objects");
  std::filesystem::create_directories(root / "src");
  std::ofstream(root / ".git" / "objects" / "x.py") << "x";
  std::ofstream(root / "src" / "a.py") << "print(1)\n";
  std::filesystem::create_symlink("/etc", root / "etc-link");
  std::filesystem::create_symlink(root / "src" / "a.py", root / "src" / "b.py");
  auto repo = list_repository(root.string());
  ASSERT_TRUE(repo.ok());
  ASSERT_EQ(repo->files.size(), 1u);
  EXPECT_EQ(repo->files[0].path, "src/a.py");
  auto text = read_repository_file(root.string(), "src/a.py");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "print(1)\n");
  EXPECT_FALSE(read_repository_file(root.string(), "src/zz.py").ok());
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace osprey::review
