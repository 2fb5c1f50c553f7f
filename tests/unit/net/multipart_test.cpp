// multipart/form-data parsing as POST /v1/files receives it from SDKs and curl.
#include "net/multipart.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "support/byte_mutator.h"

namespace osprey::net {
namespace {

TEST(MultipartTest, ReadsFieldsAndFilesWithTheirNamesAndBytes) {
  auto boundary = multipart_boundary("multipart/form-data; boundary=----abc123");
  ASSERT_TRUE(boundary.ok());
  EXPECT_EQ(boundary.value(), "----abc123");
  const std::string body =
      "------abc123\r\n"
      "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
      "batch\r\n"
      "------abc123\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"in; put.jsonl\"\r\n"
      "Content-Type: application/jsonl\r\n\r\n"
      "{\"a\":1}\r\n{\"b\":2}\n\r\n"
      "------abc123--\r\n";
  auto parts = parse_multipart(body, boundary.value());
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  const FormPart* purpose = find_part(*parts, "purpose");
  ASSERT_NE(purpose, nullptr);
  EXPECT_EQ(purpose->data, "batch");
  EXPECT_FALSE(purpose->has_filename);
  const FormPart* file = find_part(*parts, "file");
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->has_filename);
  EXPECT_EQ(file->filename, "in; put.jsonl");
  EXPECT_EQ(file->content_type, "application/jsonl");
  EXPECT_EQ(file->data, "{\"a\":1}\r\n{\"b\":2}\n");
  EXPECT_EQ(find_part(*parts, "other"), nullptr);
}

TEST(MultipartTest, QuotedBoundaryAndCaseInsensitiveType) {
  auto boundary = multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"x y\"");
  ASSERT_TRUE(boundary.ok());
  EXPECT_EQ(boundary.value(), "x y");
}

TEST(MultipartTest, OtherContentTypesAndMissingBoundariesAreRefused) {
  EXPECT_EQ(multipart_boundary("application/json").code(), ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(multipart_boundary("").code(), ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(multipart_boundary("multipart/form-data").code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=").code(),
            ErrorCode::kInvalidRequest);
}

TEST(MultipartTest, BrokenBodiesSayWhatIsWrong) {
  auto none = parse_multipart("hello", "b");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no opening boundary"), std::string::npos);

  auto unclosed = parse_multipart(
      "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\ndata without end", "b");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_NE(unclosed.error().message.find("no closing boundary"), std::string::npos);

  auto nameless = parse_multipart("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "b");
  ASSERT_FALSE(nameless.ok());
  EXPECT_NE(nameless.error().message.find("Content-Disposition"), std::string::npos);

  auto empty = parse_multipart("--b--\r\n", "b");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// Parts of random bytes (line breaks, dashes and boundary look-alikes included) come back as they
// were sent, whatever their number and size.
TEST(MultipartTest, RandomPartsComeBackAsSent) {
  const std::string boundary = "----osprey7";
  constexpr char kBytes[] = "\r\n-ab\"; =\x00\xff";
  const std::string bytes = std::string(kBytes, sizeof(kBytes) - 1) + boundary;
  std::mt19937 rng(2026);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string> sent(rng() % 4);
    std::string body = round % 2 == 0 ? "" : "preamble\r\n";
    for (std::size_t i = 0; i < sent.size(); ++i) {
      for (std::size_t n = rng() % 40; n > 0; --n) sent[i] += bytes[rng() % bytes.size()];
      // A delimiter is CRLF, "--" and the boundary: data that held one would end the part.
      if (sent[i].find("\r\n--" + boundary) != std::string::npos) sent[i] = "x";
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) +
              "\"\r\n\r\n" + sent[i] + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    auto parts = parse_multipart(body, boundary);
    ASSERT_TRUE(parts.ok()) << parts.error().message << "\n" << body;
    ASSERT_EQ(parts->size(), sent.size()) << body;
    for (std::size_t i = 0; i < sent.size(); ++i) {
      EXPECT_EQ((*parts)[i].name, "f" + std::to_string(i));
      EXPECT_EQ((*parts)[i].data, sent[i]) << body;
    }
  }
}

// Broken uploads get an error or the parts they hold, never a crash or bytes from outside the body.
TEST(MultipartTest, MutatedBodiesGiveAnErrorOrTheirParts) {
  const std::string body =
      "--b0\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
      "--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n"
      "Content-Type: application/jsonl\r\n\r\n{\"a\":1}\n\r\n--b0--\r\n";
  ASSERT_TRUE(parse_multipart(body, "b0").ok());
  constexpr char kBytes[] = "\r\n-b0;=\": \x00\xffnamefile";
  const std::string alphabet(kBytes, sizeof(kBytes) - 1);
  std::mt19937 rng(7);
  int accepted = 0;
  for (int i = 0; i < 5000 && !HasFailure(); ++i) {
    const std::string mutated = osprey::testing::mutate_bytes(body, rng, alphabet, 1, 3);
    Result<std::vector<FormPart>> parts = Error{ErrorCode::kInternal, "not parsed"};
    EXPECT_NO_THROW(parts = parse_multipart(mutated, "b0")) << mutated;
    if (!parts.ok()) {
      EXPECT_EQ(parts.error().code, ErrorCode::kInvalidRequest) << mutated;
      continue;
    }
    ++accepted;
    for (const FormPart& part : *parts) {
      EXPECT_NE(mutated.find(part.data), std::string::npos) << mutated;
    }
  }
  EXPECT_GT(accepted, 500);
}

}  // namespace
}  // namespace osprey::net
