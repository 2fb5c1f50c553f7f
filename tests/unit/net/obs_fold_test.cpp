// has_obs_fold: a field line that starts with a space or tab continues the previous line
// (obsolete folding), which the server refuses; whitespace inside a line is not folding.
#include "net/obs_fold.h"

#include <gtest/gtest.h>

namespace osprey::net {
namespace {

TEST(ObsFoldTest, PlainHeadsHaveNone) {
  EXPECT_FALSE(has_obs_fold("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(has_obs_fold("GET / HTTP/1.1\r\nHost: t\r\nX-A:  a \t b\t\r\n\r\n"));
}

TEST(ObsFoldTest, ALineStartingWithSpaceOrTabIsFolding) {
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n"));
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\nHost: t\r\n\r\n"));
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\n Host: t\r\n\r\n"));  // before the first field
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\nX-A: a\n b\n\n"));      // bare LF lines too
}

}  // namespace
}  // namespace osprey::net
