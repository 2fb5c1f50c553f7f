// End-to-end tests of how net::Server frames request bodies: a Transfer-Encoding it cannot read
// exactly, obsolete line folding or a target other than an absolute path is answered (400 or
// 501) and the connection closed, so bytes meant as a body are never served as a request; a
// coded body (Content-Encoding) is refused with 415; valid chunked bodies still work.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "net/server.h"
#include "unit/net/raw_client.h"
#include "unit/net/server_fixture.h"

namespace osprey::net {
namespace {

using testing::get_request;
using testing::RawClient;
using testing::RawResponse;
using testing::ServerFixture;

Router framing_routes() {
  Router r;
  r.get("/hello", [](Request&) -> Task<Response> { co_return Response::text(200, "hello"); });
  r.post("/echo", [](Request& req) -> Task<Response> { co_return Response::text(200, req.body); });
  return r;
}

// What a smuggler hides in a body: a whole request the server must never answer.
const std::string kSmuggled = get_request("/hello");

// A POST to /echo with `framing` header lines, then `body` as is.
std::string post(std::string_view framing, std::string_view body) {
  return "POST /echo HTTP/1.1\r\nHost: t\r\n" + std::string(framing) + "\r\n" + std::string(body);
}

// `text` as one chunk and the last chunk.
std::string chunked(std::string_view text) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", text.size());
  return size + std::string(text) + "\r\n0\r\n\r\n";
}

// One error answer, and then the end of the connection: nothing after it was read as a request.
void expect_error_then_close(RawClient& c, int status, std::string_view code) {
  const std::optional<RawResponse> r = c.read_response();
  ASSERT_TRUE(r.has_value()) << "no response for expected " << code;
  EXPECT_EQ(r->status, status);
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["error"]["code"], code);
  EXPECT_TRUE(j["error"]["message"].is_string());
  EXPECT_TRUE(j["error"]["type"].is_string());
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.at_eof()) << "a second response followed the " << status;
}

TEST(ServerFramingTest, UnknownOrNonFinalTransferCodingGets400AndNoSmuggledRequest) {
  ServerFixture f(framing_routes());
  // Without chunked last, Beast alone reads no body and the body's request as the next one.
  for (const std::string coding : {"gzip", "xchunked", "chunked, gzip", "chunked, chunked", ""}) {
    RawClient c(f.port());
    ASSERT_TRUE(c.send(post("Transfer-Encoding: " + coding + "\r\n", kSmuggled)));
    SCOPED_TRACE(coding);
    expect_error_then_close(c, 400, "malformed_http");
  }
  // The same with the body chunked, as a chunked-aware proxy in front would pass it on.
  RawClient c(f.port());
  ASSERT_TRUE(c.send(post("Transfer-Encoding: xchunked\r\n", chunked(kSmuggled))));
  expect_error_then_close(c, 400, "malformed_http");
}

TEST(ServerFramingTest, ACodingBeforeChunkedGets501AndTheConnectionCloses) {
  ServerFixture f(framing_routes());
  for (const std::string framing :
       {"Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: GZIP ,\tChunked\r\n",
        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"}) {
    RawClient c(f.port());
    ASSERT_TRUE(c.send(post(framing, chunked("{}")) + kSmuggled));
    SCOPED_TRACE(framing);
    expect_error_then_close(c, 501, "not_implemented");
  }
}

TEST(ServerFramingTest, ChunkedInAnyCaseAndWhitespaceIsReadAndKeepsTheConnection) {
  ServerFixture f(framing_routes());
  RawClient c(f.port());
  for (const std::string coding : {"chunked", "CHUNKED", " Chunked\t"}) {
    ASSERT_TRUE(c.send(post("Transfer-Encoding:" + coding + "\r\n", chunked("body " + coding))));
    const auto r = c.read_response();
    ASSERT_TRUE(r) << coding;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, "body " + coding);
    EXPECT_NE(r->header("connection"), "close");
  }
  // Several chunks, with an extension, and a trailer field.
  ASSERT_TRUE(c.send(post("Transfer-Encoding: chunked\r\n",
                          "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n")));
  const auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "abcde");
}

TEST(ServerFramingTest, Http10WithTransferEncodingIsAnsweredThenClosed) {
  ServerFixture f(framing_routes());
  RawClient c(f.port());
  // RFC 9112 section 6.1: such framing may have been lost on the way; nothing may follow it.
  ASSERT_TRUE(
      c.send("POST /echo HTTP/1.0\r\nConnection: keep-alive\r\n"
             "Transfer-Encoding: chunked\r\n\r\n" +
             chunked("x") + kSmuggled));
  const auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.at_eof());
}

TEST(ServerFramingTest, ATargetWithoutLeadingSlashGets400) {
  ServerFixture f(framing_routes());
  for (const std::string line : {"POST echo HTTP/1.1", "GET hello HTTP/1.1", "GET * HTTP/1.1",
                                 "GET http://t/hello HTTP/1.1"}) {
    RawClient c(f.port());
    ASSERT_TRUE(c.send(line + "\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}" + kSmuggled));
    SCOPED_TRACE(line);
    expect_error_then_close(c, 400, "malformed_http");
  }
}

TEST(ServerFramingTest, OptionsAsteriskIsNotMalformed) {
  ServerFixture f(framing_routes());
  RawClient c(f.port());
  ASSERT_TRUE(c.send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 400);  // the router answers it (no route here)
}

TEST(ServerFramingTest, ObsoleteLineFoldingGets400) {
  ServerFixture f(framing_routes());
  for (const std::string head :
       {"GET /hello HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: t\r\nX-A: a\r\n\tb\r\n\r\n",
        "GET /hello HTTP/1.1\r\n Host: t\r\n\r\n",
        // A folded Transfer-Encoding: a proxy that unfolds differently would frame it otherwise.
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nX-A: a\r\n Transfer-Encoding: "
        "chunked\r\n\r\n"}) {
    RawClient c(f.port());
    ASSERT_TRUE(c.send(head + kSmuggled));
    SCOPED_TRACE(head);
    expect_error_then_close(c, 400, "malformed_http");
  }
}

TEST(ServerFramingTest, AHeadArrivingInPiecesIsStillRead) {
  ServerFixture f(framing_routes());
  RawClient c(f.port());
  const std::string request = post("Content-Length: 5\r\n", "hello");
  // Split inside the final CRLF CRLF too, where the search for the end of the head resumes.
  for (const std::size_t cut : {std::size_t{4}, request.find("\r\n\r\n") + 1, request.size() - 2}) {
    ASSERT_TRUE(c.send(request.substr(0, cut)));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    ASSERT_TRUE(c.send(request.substr(cut)));
    const auto r = c.read_response();
    ASSERT_TRUE(r) << cut;
    EXPECT_EQ(r->body, "hello");
  }
}

TEST(ServerFramingTest, ACodedRequestBodyGets415AndTheConnectionServesOn) {
  ServerFixture f(framing_routes());
  RawClient c(f.port());
  for (const std::string coding : {"gzip", "GZIP", "br", "identity, gzip"}) {
    ASSERT_TRUE(c.send(post("Content-Encoding: " + coding + "\r\nContent-Length: 2\r\n", "{}")));
    const auto r = c.read_response();
    ASSERT_TRUE(r) << coding;
    EXPECT_EQ(r->status, 415);
    EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "unsupported_media_type");
  }
  // Chunked bodies too.
  ASSERT_TRUE(c.send(
      post("Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", chunked("\x1f\x8b"))));
  const auto coded = c.read_response();
  ASSERT_TRUE(coded);
  EXPECT_EQ(coded->status, 415);
  // The body was read to its end, so the connection still serves requests.
  ASSERT_TRUE(c.send(post("Content-Encoding: identity\r\nContent-Length: 2\r\n", "{}")));
  const auto identity = c.read_response();
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->status, 200);
  EXPECT_EQ(identity->body, "{}");
  // Without a body there is nothing to decode.
  ASSERT_TRUE(c.send(get_request("/hello", "Content-Encoding: gzip\r\n")));
  const auto bodiless = c.read_response();
  ASSERT_TRUE(bodiless);
  EXPECT_EQ(bodiless->status, 200);
}

}  // namespace
}  // namespace osprey::net
