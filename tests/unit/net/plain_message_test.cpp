// parse_plain_request and parse_plain_response: take the common complete message, leave
// everything unusual to Beast's parser, and whatever they take, Beast reads the same way
// (checked on mutated inputs).
#include "net/plain_message.h"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <random>
#include <string>
#include <vector>

#include "support/byte_mutator.h"

namespace osprey::net {
namespace {

namespace http = boost::beast::http;

constexpr std::size_t kHeadLimit = 8192;
constexpr std::size_t kBodyLimit = 1 << 20;

std::optional<PlainRequest> parse(std::string_view bytes) {
  return parse_plain_request(bytes, kHeadLimit, kBodyLimit);
}

std::string_view field(const PlainMessage& r, std::string_view name) {
  for (std::size_t i = 0; i < r.field_count; ++i) {
    if (r.fields[i].first == name) return r.fields[i].second;
  }
  return "<absent>";
}

const std::string kPost =
    "POST /v1/chat/completions HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "Content-Type: application/json\r\n"
    "Authorization:   Bearer osp_abc \t\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "{\"model\":\"m\"}";

TEST(PlainRequestTest, ReadsACompletePost) {
  const auto r = parse(kPost);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->target, "/v1/chat/completions");
  EXPECT_EQ(r->version, 11u);
  ASSERT_EQ(r->field_count, 4u);
  EXPECT_EQ(field(*r, "Host"), "127.0.0.1:8080");
  EXPECT_EQ(field(*r, "Authorization"), "Bearer osp_abc");  // OWS trimmed on both sides
  EXPECT_EQ(r->body, "{\"model\":\"m\"}");
  EXPECT_TRUE(r->keep_alive);
  EXPECT_EQ(r->size, kPost.size());
}

TEST(PlainRequestTest, StopsAtTheEndOfTheFirstRequest) {
  const std::string two = kPost + "GET / HTTP/1.1\r\n\r\n";
  const auto r = parse(two);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size, kPost.size());
  const auto next = parse(std::string_view(two).substr(r->size));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->method, "GET");
  EXPECT_EQ(next->field_count, 0u);
  EXPECT_EQ(next->body, "");
}

TEST(PlainRequestTest, WaitsForMissingBytes) {
  for (std::size_t cut = 0; cut < kPost.size(); ++cut) {
    EXPECT_FALSE(parse(kPost.substr(0, cut))) << "cut at " << cut;
  }
}

TEST(PlainRequestTest, KeepAliveFollowsVersionAndConnection) {
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")->keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nConnection: Upgrade-Insecure, CLOSE\r\n\r\n")->keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n")->keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n")->keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")->keep_alive);
  EXPECT_EQ(parse("GET / HTTP/1.0\r\n\r\n")->version, 10u);
}

TEST(PlainRequestTest, LeavesUnusualRequestsToTheGeneralParser) {
  const std::vector<std::string> unusual = {
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
      "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      "GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
      "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx",
      "POST / HTTP/1.1\r\nContent-Length: 1 1\r\n\r\nx",
      "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close\r\nConnection: close\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: \"close\"\r\n\r\n",
      "GET / HTTP/1.1\r\nX-Long: a\r\n b\r\n\r\n",  // obs-fold
      "GET / HTTP/1.1\r\nX-Bin: caf\xc3\xa9\r\n\r\n",
      "GET / HTTP/1.1\r\nX-Ctl: a\x01\r\n\r\n",
      "GET / HTTP/1.1\r\nX-Lf: a\nb\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Name: a\r\n\r\n",
      "GET / HTTP/1.1\r\n: a\r\n\r\n",
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET / http/1.1\r\n\r\n",
      "GET  / HTTP/1.1\r\n\r\n",
      "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",
      " GET / HTTP/1.1\r\n\r\n",
      "\r\nGET / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1 \r\n\r\n",
      "POST v1/chat/completions HTTP/1.1\r\nContent-Length: 0\r\n\r\n",  // not origin-form
      "GET http://t/ HTTP/1.1\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\n\r\n",
  };
  for (const std::string& text : unusual) EXPECT_FALSE(parse(text)) << text;
}

TEST(PlainRequestTest, LeavesOversizedRequestsToTheGeneralParser) {
  const std::string head = "GET / HTTP/1.1\r\nX-Pad: " + std::string(200, 'a') + "\r\n\r\n";
  EXPECT_TRUE(parse_plain_request(head, head.size(), kBodyLimit));
  EXPECT_FALSE(parse_plain_request(head, head.size() - 1, kBodyLimit));
  const std::string post = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  EXPECT_TRUE(parse_plain_request(post, kHeadLimit, 5));
  EXPECT_FALSE(parse_plain_request(post, kHeadLimit, 4));
  std::string many = "GET / HTTP/1.1\r\n";
  for (std::size_t i = 0; i <= PlainMessage::kMaxFields; ++i) many += "X-F: v\r\n";
  EXPECT_FALSE(parse(many + "\r\n"));
}

// What Beast's parser makes of `bytes`, in the fast path's terms; nullopt if it needs more bytes
// or rejects them.
struct Parsed {
  std::string method, target, body;
  unsigned status = 0;
  unsigned version = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  bool keep_alive = false;
  std::size_t size = 0;
};

template <bool IsRequest>
std::optional<Parsed> beast_parse(std::string_view bytes) {
  http::parser<IsRequest, http::string_body> parser;
  parser.header_limit(kHeadLimit);
  parser.body_limit(kBodyLimit);
  parser.eager(true);
  boost::system::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec || !parser.is_done()) return std::nullopt;
  const auto& msg = parser.get();
  Parsed p;
  if constexpr (IsRequest) {
    p.method = std::string(msg.method_string());
    p.target = std::string(msg.target());
  } else {
    p.status = msg.result_int();
  }
  p.version = msg.version();
  for (const auto& f : msg) p.fields.emplace_back(f.name_string(), f.value());
  p.body = msg.body();
  p.keep_alive = msg.keep_alive();
  p.size = used;
  return p;
}

void expect_same_fields(const PlainMessage& plain, const Parsed& beast, std::string_view bytes) {
  EXPECT_EQ(plain.version, beast.version) << bytes;
  EXPECT_EQ(plain.body, beast.body) << bytes;
  EXPECT_EQ(plain.keep_alive, beast.keep_alive) << bytes;
  EXPECT_EQ(plain.size, beast.size) << bytes;
  ASSERT_EQ(plain.field_count, beast.fields.size()) << bytes;
  for (std::size_t i = 0; i < plain.field_count; ++i) {
    EXPECT_EQ(plain.fields[i].first, beast.fields[i].first) << bytes;
    EXPECT_EQ(plain.fields[i].second, beast.fields[i].second) << bytes;
  }
}

// Checks `bytes` if the fast path takes it; returns whether it did.
bool expect_same_as_beast(std::string_view bytes) {
  const auto plain = parse(bytes);
  if (!plain) return false;
  const auto beast = beast_parse<true>(bytes);
  EXPECT_TRUE(beast) << "taken by the fast path but not by Beast: " << bytes;
  if (!beast) return true;
  EXPECT_EQ(plain->method, beast->method) << bytes;
  EXPECT_EQ(plain->target, beast->target) << bytes;
  expect_same_fields(*plain, *beast, bytes);
  return true;
}

bool expect_same_response_as_beast(std::string_view bytes) {
  const auto plain = parse_plain_response(bytes, kHeadLimit, kBodyLimit);
  if (!plain) return false;
  const auto beast = beast_parse<false>(bytes);
  EXPECT_TRUE(beast) << "taken by the fast path but not by Beast: " << bytes;
  if (!beast) return true;
  EXPECT_EQ(static_cast<unsigned>(plain->status), beast->status) << bytes;
  expect_same_fields(*plain, *beast, bytes);
  return true;
}

// One or two edits, biased to the bytes HTTP cares about.
std::string mutate(const std::string& text, std::mt19937& rng) {
  static const std::string alphabet =
      std::string(" \t\r\n:,;\"()/\\?=-0123456789aAzZ\x7f\x80\xff\x00", 33);
  return osprey::testing::mutate_bytes(text, rng, alphabet);
}

TEST(PlainRequestTest, WhateverItTakesBeastReadsTheSameWay) {
  const std::vector<std::string> seeds = {
      kPost,
      "GET /v1/models?limit=2&x=%20 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
      "GET / HTTP/1.0\r\nConnection: keep-alive, foo\r\nX-Empty:\r\n\r\n",
      "DELETE /admin/keys/7 HTTP/1.1\r\nConnection: close\r\nX-Request-Id: abc-1\r\n\r\n",
      "POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
  };
  // Each seed must be taken as is (or the comparison below proves nothing).
  for (const std::string& seed : seeds) ASSERT_TRUE(expect_same_as_beast(seed)) << seed;
  std::mt19937 rng(12345);
  std::size_t taken = 0;
  for (int i = 0; i < 20000 && !HasFailure(); ++i) {
    if (expect_same_as_beast(mutate(seeds[rng() % seeds.size()], rng))) ++taken;
  }
  EXPECT_GT(taken, 1000u);  // the mutations exercise the accepting side too
}

const std::string kResponse =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 11\r\n"
    "X-Trailing:  spaced \t\r\n"
    "\r\n"
    "{\"ok\":true}";

TEST(PlainResponseTest, ReadsACompleteResponse) {
  const auto r = parse_plain_response(kResponse, kHeadLimit, kBodyLimit);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->version, 11u);
  EXPECT_EQ(field(*r, "X-Trailing"), "spaced");
  EXPECT_EQ(r->body, "{\"ok\":true}");
  EXPECT_TRUE(r->keep_alive);
  EXPECT_EQ(r->size, kResponse.size());
  const auto closing = parse_plain_response(
      "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
      kHeadLimit, kBodyLimit);
  ASSERT_TRUE(closing);
  EXPECT_EQ(closing->status, 429);
  EXPECT_FALSE(closing->keep_alive);
  EXPECT_EQ(closing->body, "");
}

TEST(PlainResponseTest, LeavesUnusualResponsesToTheGeneralParser) {
  for (std::size_t cut = 0; cut < kResponse.size(); ++cut) {
    EXPECT_FALSE(parse_plain_response(kResponse.substr(0, cut), kHeadLimit, kBodyLimit)) << cut;
  }
  const std::vector<std::string> unusual = {
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n",  // to EOF
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n",
      "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n",
      "HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 20x OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
      "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 \xc3\xa9\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
  };
  for (const std::string& text : unusual) {
    EXPECT_FALSE(parse_plain_response(text, kHeadLimit, kBodyLimit)) << text;
  }
  EXPECT_FALSE(parse_plain_response(kResponse, kHeadLimit, 10));  // body over the limit
}

TEST(PlainResponseTest, WhateverItTakesBeastReadsTheSameWay) {
  const std::vector<std::string> seeds = {
      kResponse,
      "HTTP/1.0 503 Service Unavailable\r\nRetry-After: 2\r\nConnection: keep-alive\r\n"
      "Content-Length: 4\r\n\r\nbusy",
      "HTTP/1.1 200 \r\nContent-Length: 2\r\nConnection: close, x\r\n\r\nok",
  };
  for (const std::string& seed : seeds) ASSERT_TRUE(expect_same_response_as_beast(seed)) << seed;
  std::mt19937 rng(54321);
  std::size_t taken = 0;
  for (int i = 0; i < 20000 && !HasFailure(); ++i) {
    if (expect_same_response_as_beast(mutate(seeds[rng() % seeds.size()], rng))) ++taken;
  }
  EXPECT_GT(taken, 1000u);
}

}  // namespace
}  // namespace osprey::net
