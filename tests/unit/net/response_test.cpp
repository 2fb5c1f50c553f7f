#include "net/response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/sse_writer.h"

namespace osprey::net {
namespace {

TEST(ErrorBodyTest, HasTheOpenAiShape) {
  const std::string body = error_body({ErrorCode::kPayloadTooLarge, "body too big"}, "req-1");
  const auto j = nlohmann::json::parse(body);
  ASSERT_TRUE(j.contains("error"));
  const auto& e = j["error"];
  EXPECT_EQ(e["code"], "payload_too_large");
  EXPECT_EQ(e["message"], "body too big");
  EXPECT_EQ(e["type"], "invalid_request_error");
  EXPECT_TRUE(e["param"].is_null());
  EXPECT_EQ(e["request_id"], "req-1");
}

TEST(ErrorBodyTest, InvalidUtf8InMessageDoesNotThrow) {
  const std::string body = error_body({ErrorCode::kMalformedHttp, "bad \xff byte"}, "r");
  ASSERT_TRUE(nlohmann::json::accept(body));
  EXPECT_EQ(nlohmann::json::parse(body)["error"]["code"], "malformed_http");
}

TEST(ResponseTest, ErrorUsesTheCodesStatus) {
  const Response r = Response::error({ErrorCode::kUnavailable, "draining"}, "id");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers.get("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "unavailable");
}

TEST(ResponseTest, JsonAndTextSetContentType) {
  EXPECT_EQ(Response::json(201, "{}").headers.get("Content-Type"), "application/json");
  const Response t = Response::text(200, "hi", "text/html");
  EXPECT_EQ(t.headers.get("Content-Type"), "text/html");
  EXPECT_EQ(t.body, "hi");
}

TEST(SseFormatTest, SplitsMultiLineDataAndOmitsEmptyFields) {
  EXPECT_EQ(format_sse_event("hello", {}, {}), "data: hello\n\n");
  EXPECT_EQ(format_sse_event("a\nb\r\nc", "update", "7"),
            "event: update\nid: 7\ndata: a\ndata: b\ndata: c\n\n");
}

TEST(SseFormatTest, NewlinesInEventNameCannotInjectFields) {
  EXPECT_EQ(format_sse_event("x", "a\ndata: evil", {}), "event: a data: evil\ndata: x\n\n");
}

}  // namespace
}  // namespace osprey::net
