#include "sqlite_shell.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "osprey_process.h"

namespace osprey::testing {

std::string sqlite_query(const std::string& db, const std::string& sql) {
  TempDir dir;
  const std::string out = dir.path() + "/out";
  const std::string cmd = "sqlite3 '" + db + "' \"" + sql + "\" > " + out + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << read_file(out);
  std::string text = read_file(out);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace osprey::testing
