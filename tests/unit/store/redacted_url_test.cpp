#include "store/redacted_url.h"

#include <gtest/gtest.h>

namespace osprey::store {
namespace {

TEST(RedactUrl, HidesThePasswordOfTheUserinfo) {
  EXPECT_EQ(redact_url("postgresql://osprey:s3cret@db:5432/osprey"),
            "postgresql://osprey:***@db:5432/osprey");
}

TEST(RedactUrl, PasswordMayContainAtSigns) {
  EXPECT_EQ(redact_url("postgres://u:p@ss@w0rd@host/db"), "postgres://u:***@host/db");
}

TEST(RedactUrl, HidesPasswordParameters) {
  EXPECT_EQ(redact_url("postgresql://u@host/db?sslmode=require&password=x1&application_name=o"),
            "postgresql://u@host/db?sslmode=require&password=***&application_name=o");
  EXPECT_EQ(redact_url("host=db password=x1 user=u"), "host=db password=*** user=u");
}

TEST(RedactUrl, LeavesUrlsWithoutPasswordsAlone) {
  EXPECT_EQ(redact_url("postgresql://osprey@127.0.0.1:5432/osprey_test"),
            "postgresql://osprey@127.0.0.1:5432/osprey_test");
  EXPECT_EQ(redact_url("sqlite:/var/lib/osprey/osprey.db"), "sqlite:/var/lib/osprey/osprey.db");
  EXPECT_EQ(redact_url("postgresql://host:5432/db"), "postgresql://host:5432/db");
}

}  // namespace
}  // namespace osprey::store
