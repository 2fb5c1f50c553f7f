// docs/configuration.md stays true: every configuration key and its environment variable are
// documented there.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/config.h"

namespace osprey {
namespace {

std::string read_doc() {
  const char* dir = std::getenv("OSPREY_SOURCE_DIR");
  std::ifstream in(std::string(dir ? dir : ".") + "/docs/configuration.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ConfigDocs, EveryKeyAndEnvVarIsDocumented) {
  const std::string doc = read_doc();
  ASSERT_FALSE(doc.empty()) << "docs/configuration.md not found (OSPREY_SOURCE_DIR)";
  for (const ConfigKey& key : config_keys()) {
    EXPECT_NE(doc.find("`" + key.name + "`"), std::string::npos) << key.name;
    EXPECT_NE(doc.find("`" + key.env + "`"), std::string::npos) << key.env;
  }
}

}  // namespace
}  // namespace osprey
