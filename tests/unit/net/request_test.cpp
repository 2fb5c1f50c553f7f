#include "net/request.h"

#include <gtest/gtest.h>

#include "net/percent_decode.h"
#include "net/request_id.h"

namespace osprey::net {
namespace {

TEST(RequestTest, QueryParamIsDecoded) {
  Request r;
  r.query = "state=queued&name=a%20b+c&empty=&flag";
  EXPECT_EQ(r.query_param("state"), "queued");
  EXPECT_EQ(r.query_param("name"), "a b c");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("missing"), std::nullopt);
}

TEST(RequestTest, QueryParamReturnsFirstOccurrenceAndDecodesKeys) {
  Request r;
  r.query = "a=1&a=2&my%20key=v";
  EXPECT_EQ(r.query_param("a"), "1");
  EXPECT_EQ(r.query_param("my key"), "v");
}

TEST(RequestTest, QueryParamsListsEveryPairDecodedInOrder) {
  Request r;
  r.query = "model_config.temperature=0.2&&a=1&a=2&flag&n%20k=v+w";
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"model_config.temperature", "0.2"}, {"a", "1"}, {"a", "2"}, {"flag", ""}, {"n k", "v w"}};
  EXPECT_EQ(r.query_params(), expected);
}

TEST(RequestTest, ParamLooksUpPathParameters) {
  Request r;
  r.params = {{"id", "42"}, {"item", "x"}};
  EXPECT_EQ(r.param("id"), "42");
  EXPECT_EQ(r.param("item"), "x");
  EXPECT_EQ(r.param("nope"), "");
}

TEST(PercentDecodeTest, KeepsMalformedEscapesLiterally) {
  EXPECT_EQ(percent_decode("a%2"), "a%2");
  EXPECT_EQ(percent_decode("%zz%41"), "%zzA");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
}

TEST(PercentDecodeTest, PlainTextIsCopiedAndEscapedTextStillDecoded) {
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("/v1/chat/completions"), "/v1/chat/completions");
  EXPECT_EQ(percent_decode("a%41+", true), "aA ");
  EXPECT_EQ(percent_decode("%", true), "%");
}

TEST(RequestIdTest, AcceptsPrintableAsciiUpTo128) {
  EXPECT_TRUE(valid_request_id("abc-123_XYZ"));
  EXPECT_TRUE(valid_request_id(std::string(128, 'a')));
  EXPECT_FALSE(valid_request_id(""));
  EXPECT_FALSE(valid_request_id(std::string(129, 'a')));
  EXPECT_FALSE(valid_request_id("has space"));
  EXPECT_FALSE(valid_request_id("tab\there"));
  EXPECT_FALSE(valid_request_id("caf\xc3\xa9"));
}

TEST(RequestIdTest, GeneratedIdsAre32HexCharsAndDiffer) {
  const std::string a = generate_request_id();
  const std::string b = generate_request_id();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(RequestIdTest, ClientIdIsKeptOnlyWhenValid) {
  EXPECT_EQ(request_id_from("client-id-1"), "client-id-1");
  EXPECT_EQ(request_id_from("bad id").size(), 32u);
}

}  // namespace
}  // namespace osprey::net
