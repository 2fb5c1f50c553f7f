// multipart/form-data parsing as POST /v1/files receives it from SDKs and curl.
#include "net/multipart.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace osprey::net
