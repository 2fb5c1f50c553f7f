// The SQLite store survives `kill -9` of the server in the middle of writes: it reopens,
// migrations are idempotent, the file passes an integrity check, and committed writes are kept.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "http_client.h"
#include "osprey_process.h"
#include "sqlite_shell.h"

namespace osprey::testing {
namespace {

using namespace std::chrono_literals;

TEST(StoreCrash, SqliteSurvivesKill9MidWrite) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string db = data + "/osprey.db";
  {
    auto server = OspreyProcess::start({.data_dir = data});
    ASSERT_NE(server, nullptr);
    Connection writer;
    ASSERT_TRUE(writer.connect(server->port()));
    ASSERT_TRUE(writer.send_request("POST", "/debug/store/fill?count=5000000"));
    std::this_thread::sleep_for(700ms);
    server->signal(SIGKILL);
    ASSERT_EQ(server->wait_exit(5s), 128 + SIGKILL);
  }
  const std::string versions_before =
      sqlite_query(db, "SELECT group_concat(version) FROM schema_migrations");

  auto restarted = OspreyProcess::start({.data_dir = data});
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(http_request(restarted->port(), "GET", "/readyz").status, 200);
  restarted->signal(SIGTERM);
  ASSERT_EQ(restarted->wait_exit(10s), 0);

  EXPECT_EQ(sqlite_query(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(sqlite_query(db, "SELECT group_concat(version) FROM schema_migrations"),
            versions_before);
  // Each write was its own transaction, in key order: what survived is a gap-free prefix.
  const long count = std::atol(
      sqlite_query(db, "SELECT count(*) FROM settings WHERE key LIKE 'debug.fill.%'").c_str());
  EXPECT_GT(count, 0) << "the crash came before any write";
  const long max_value = std::atol(
      sqlite_query(db,
                   "SELECT max(CAST(value AS INTEGER)) FROM settings WHERE key LIKE 'debug.fill.%'")
          .c_str());
  EXPECT_EQ(max_value, count - 1);
}

}  // namespace
}  // namespace osprey::testing
