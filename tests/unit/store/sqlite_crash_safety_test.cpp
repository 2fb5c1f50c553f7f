// A process killed in the middle of writing must leave a database that opens, passes the
// integrity check and still holds every write the process saw committed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "store/store.h"
#include "unit/store/sqlite_test_database.h"

namespace osprey::store {
namespace {

// Child: writes settings one transaction each, reporting every committed key on `fd`, until
// killed. Never returns.
[[noreturn]] void write_until_killed(const StoreOptions& options, int fd) {
  auto store = open_store(options);
  if (!store.ok()) _exit(2);
  for (long i = 0;; ++i) {
    const std::string key = "crash/" + std::to_string(i);
    if (!(*store)->put_setting(key, std::string(256, 'x') + key).ok()) _exit(3);
    const std::string line = key + "\n";
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
  }
}

TEST(SqliteCrashSafety, KilledWriterLeavesAnIntactDatabaseWithEveryCommittedWrite) {
  auto db = testing::SqliteTestDatabase::create();
  ASSERT_TRUE(db.ok());
  const StoreOptions options = (*db)->options();
  {
    auto store = open_store(options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->migrate().ok());
    ASSERT_TRUE((*store)->close().ok());
  }

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    write_until_killed(options, fds[1]);
  }
  close(fds[1]);

  // Wait for the first committed write, let the child run a while, then kill it mid-write.
  std::string reported;
  char buffer[4096];
  while (reported.find('\n') == std::string::npos) {
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    reported.append(buffer, static_cast<std::size_t>(n));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << WEXITSTATUS(status);
  ssize_t n = 0;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) {
    reported.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);

  // Only complete lines were reported after a commit; a torn last line was not.
  std::set<std::string> committed;
  std::size_t start = 0;
  for (std::size_t end; (end = reported.find('\n', start)) != std::string::npos; start = end + 1) {
    committed.insert(reported.substr(start, end - start));
  }
  ASSERT_FALSE(committed.empty());

  auto store = open_store(options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Status integrity = (*store)->check_integrity();
  EXPECT_TRUE(integrity.ok()) << integrity.error().message;
  auto version_before = (*store)->schema_version();
  ASSERT_TRUE(version_before.ok());
  EXPECT_TRUE((*store)->migrate().ok());
  auto version_after = (*store)->schema_version();
  ASSERT_TRUE(version_after.ok());
  EXPECT_EQ(*version_after, *version_before);

  auto stored = (*store)->list_settings("crash/");
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  std::set<std::string> present;
  for (const auto& [key, value] : *stored) {
    EXPECT_EQ(value, std::string(256, 'x') + key);
    present.insert(key);
  }
  for (const std::string& key : committed) EXPECT_TRUE(present.count(key)) << key << " lost";
  EXPECT_GE(present.size(), committed.size());
  EXPECT_TRUE((*store)->close().ok());
}

}  // namespace
}  // namespace osprey::store
