#include "cli/file_upload.h"

#include <gtest/gtest.h>

namespace osprey::cli {
namespace {

TEST(FileUploadTest, MultipartBodyHasThePurposeFieldAndTheFilePart) {
  const std::string body = multipart_file_body("B0", "lines.jsonl", "{\"a\":1}\n", "batch");
  EXPECT_EQ(body,
            "--B0\r\n"
            "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            "batch\r\n"
            "--B0\r\n"
            "Content-Disposition: form-data; name=\"file\"; filename=\"lines.jsonl\"\r\n"
            "Content-Type: application/jsonl\r\n\r\n"
            "{\"a\":1}\n"
            "\r\n--B0--\r\n");
}

}  // namespace
}  // namespace osprey::cli
