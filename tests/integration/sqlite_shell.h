#pragma once
// sqlite_query(): runs one SQL statement with the sqlite3 shell on a server's database (WAL: safe
// while the server runs), for tests that inspect or tamper with what the server stored.
#include <string>

namespace osprey::testing {

// The shell's output without trailing newlines; the test fails (EXPECT) when sqlite3 does.
std::string sqlite_query(const std::string& db, const std::string& sql);

}  // namespace osprey::testing
