// is_identity_content_coding: a request body is read as sent only without a content coding, or
// with "identity"; anything else (gzip, br, unknown names) is refused by the server (415).
#include "net/content_coding.h"

#include <gtest/gtest.h>

#include <string>

namespace osprey::net {
namespace {

TEST(ContentCodingTest, NoCodingOrIdentityIsReadable) {
  for (const std::string list : {"", " ", ",", "identity", "IDENTITY", " identity , Identity"}) {
    EXPECT_TRUE(is_identity_content_coding(list)) << list;
  }
}

TEST(ContentCodingTest, AnyOtherCodingIsNot) {
  for (const std::string list : {"gzip", "x-gzip", "br", "deflate", "zstd", "identity, gzip",
                                 "gzip, identity", "identityx", "unknown"}) {
    EXPECT_FALSE(is_identity_content_coding(list)) << list;
  }
}

}  // namespace
}  // namespace osprey::net
