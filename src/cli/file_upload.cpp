#include "cli/file_upload.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/json_parse.h"

namespace osprey::cli {

std::string multipart_file_body(const std::string& boundary, const std::string& filename,
                                const std::string& content, const std::string& purpose) {
  std::string body = "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose + "\r\n";
  body += "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n";
  body += "Content-Type: application/jsonl\r\n\r\n";
  body += content;
  body += "\r\n--" + boundary + "--\r\n";
  return body;
}

std::optional<std::string> upload_file(const ApiContext& c, const std::string& filename,
                                       const std::string& content, const std::string& purpose) {
  // A boundary that does not occur in the content (tried until one does not).
  const auto seed = static_cast<unsigned long long>(
      std::chrono::steady_clock::now().time_since_epoch().count() ^ ::getpid());
  std::string boundary;
  for (unsigned long long n = seed;; ++n) {
    boundary = "osprey-" + std::to_string(n);
    if (content.find(boundary) == std::string::npos) break;
  }
  auto reply =
      call_api(c, "POST", "/v1/files", multipart_file_body(boundary, filename, content, purpose),
               {{"content-type", "multipart/form-data; boundary=" + boundary}});
  if (!reply) return std::nullopt;
  const nlohmann::json file = parse_json(reply->body);
  if (!file.is_object() || !file.contains("id") || !file["id"].is_string()) {
    std::fprintf(stderr, "osprey: POST /v1/files answered without a file id\n");
    return std::nullopt;
  }
  return file["id"].get<std::string>();
}

}  // namespace osprey::cli
