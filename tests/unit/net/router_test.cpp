#include "net/router.h"

#include <gtest/gtest.h>

namespace osprey::net {
namespace {

Handler reply(int status) {
  return [status](Request&) -> Task<Response> { co_return Response::text(status, "x"); };
}

TEST(RouterTest, MatchesLiteralRoute) {
  Router r;
  r.get("/v1/models", reply(200));
  const RouteMatch m = r.match("GET", "/v1/models");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.pattern, "/v1/models");
  EXPECT_NE(m.handler, nullptr);
}

TEST(RouterTest, ExtractsAndDecodesParameters) {
  Router r;
  r.post("/v1/jobs/{id}/items/{item}", reply(200));
  const RouteMatch m = r.match("POST", "/v1/jobs/job%201/items/a%2Fb");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.pattern, "/v1/jobs/{id}/items/{item}");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"id", "job 1"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"item", "a/b"}));
}

TEST(RouterTest, LiteralSegmentBeatsParameterRegardlessOfOrder) {
  Router r;
  r.get("/v1/jobs/{id}", reply(200));
  r.get("/v1/jobs/active", reply(201));
  EXPECT_EQ(r.match("GET", "/v1/jobs/active").pattern, "/v1/jobs/active");
  EXPECT_EQ(r.match("GET", "/v1/jobs/42").pattern, "/v1/jobs/{id}");
}

TEST(RouterTest, EscapedLiteralPathAndOtherMethodsStillResolve) {
  Router r;
  r.get("/v1/models", reply(200));
  r.post("/v1/{name}", reply(201));
  // Percent-escaped: not the exact text of the literal route, found through the full match.
  EXPECT_EQ(r.match("GET", "/v1/mod%65ls").pattern, "/v1/models");
  // The literal route has another method: the parameter route with this one still matches.
  EXPECT_EQ(r.match("POST", "/v1/models").pattern, "/v1/{name}");
  const RouteMatch wrong = r.match("DELETE", "/v1/models");
  EXPECT_EQ(wrong.kind, RouteMatch::Kind::kMethodNotAllowed);
}

TEST(RouterTest, UnknownPathIsNotFound) {
  Router r;
  r.get("/a", reply(200));
  EXPECT_EQ(r.match("GET", "/b").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.match("GET", "/a/b").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, TrailingSlashIsADifferentPath) {
  Router r;
  r.get("/x", reply(200));
  EXPECT_EQ(r.match("GET", "/x").kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(r.match("GET", "/x/").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, EmptySegmentDoesNotFillAParameter) {
  Router r;
  r.get("/jobs/{id}", reply(200));
  EXPECT_EQ(r.match("GET", "/jobs/").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, WrongMethodIsMethodNotAllowedWithAllow) {
  Router r;
  r.get("/v1/jobs", reply(200));
  r.post("/v1/jobs", reply(201));
  const RouteMatch m = r.match("DELETE", "/v1/jobs");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, POST, HEAD");
  EXPECT_EQ(m.handler, nullptr);
}

TEST(RouterTest, HeadIsAnsweredByGetRoute) {
  Router r;
  r.get("/health", reply(200));
  const RouteMatch m = r.match("HEAD", "/health");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.pattern, "/health");
}

TEST(RouterTest, MovedRouterKeepsRoutes) {
  Router a;
  a.get("/a", reply(200));
  Router b = std::move(a);
  EXPECT_EQ(b.match("GET", "/a").kind, RouteMatch::Kind::kFound);
}

}  // namespace
}  // namespace osprey::net
