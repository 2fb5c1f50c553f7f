#include "providers/bedrock/aws_request_signer.h"

#include "net/url.h"
#include "providers/bedrock/sigv4.h"

namespace osprey::providers::bedrock {
namespace {

// The Host header as the client would send it: the port only when it is not the default.
std::string host_header(const net::Url& url) {
  const bool default_port = url.port == (url.tls() ? 443 : 80);
  if (!default_port) return url.authority();
  return url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
}

// The path segments of a base URL (e.g. a private endpoint mounted under a prefix).
std::vector<std::string> base_segments(const net::Url& url) {
  std::vector<std::string> out;
  std::string_view path = url.target;
  path = path.substr(0, path.find('?'));
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string_view seg = path.substr(start, slash - start);
    if (!seg.empty()) out.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

Status sign_aws_request(net::ClientRequest& request, std::string_view base_url,
                        const std::vector<std::string>& segments,
                        const std::vector<std::pair<std::string, std::string>>& query,
                        const AwsSigningScope& scope, std::chrono::system_clock::time_point now) {
  auto url = net::parse_url(std::string(base_url));
  if (!url) return url.error();
  const std::string host = host_header(*url);
  request.headers.set("host", host);

  SigningInput in;
  in.method = request.method;
  in.path_segments = base_segments(*url);
  in.path_segments.insert(in.path_segments.end(), segments.begin(), segments.end());
  in.query = query;
  for (const auto& [name, value] : request.headers.fields()) in.headers.emplace_back(name, value);
  in.payload = request.body;
  in.region = scope.region;
  in.service = scope.service;
  in.credentials = scope.credentials;
  in.time = now;
  if (scope.service == "s3") {
    in.double_encode_path = false;
    in.normalize_path = false;
    in.add_content_sha256_header = true;
  }
  auto signature = sign_request(in);
  if (!signature) return signature.error();
  for (const auto& [name, value] : signature->as_headers()) request.headers.set(name, value);
  request.url = url->scheme + "://" + host + signature->encoded_path;
  if (!signature->canonical_query.empty()) request.url += "?" + signature->canonical_query;
  return {};
}

}  // namespace osprey::providers::bedrock
