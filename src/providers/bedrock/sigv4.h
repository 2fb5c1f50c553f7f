#pragma once
// AWS Signature Version 4 (header signing, AWS4-HMAC-SHA256) as one pure function: the caller
// describes a request, gets back the headers to add. No I/O and no clock: the signing time is
// an input, so tests are deterministic. Thread-safe (no shared state).
//
// The rules follow the official AWS signer (@smithy/signature-v4), which is cross-checked
// byte for byte in tests/unit/providers/sigv4_test.cpp:
//  - path: `.`/`..` segments and empty segments are removed (unless normalize_path is false),
//    each segment is URI-encoded (RFC 3986 unreserved set kept), and for every service but S3
//    the encoded path is encoded a second time for the canonical request (double_encode_path);
//  - query: keys and values URI-encoded, sorted by key then value;
//  - headers: names lower-cased, values trimmed with runs of spaces/tabs collapsed, repeated
//    names joined with ',', sorted; hop-by-hop headers the official signer never signs
//    (user-agent, connection, ...) are left out of the signature.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "providers/bedrock/aws_credentials.h"

namespace osprey::providers::bedrock {

struct SigningInput {
  std::string method = "GET";
  // The path as the application sees it, NOT percent-encoded (e.g. "/model/a.b-v1:0/converse").
  std::string path = "/";
  // Alternative to `path` for segments that may contain '/' (e.g. a Bedrock model ARN): each
  // element is one unescaped segment. Used instead of `path` when non-empty.
  std::vector<std::string> path_segments;
  // Decoded key/value pairs; order does not matter, repeated keys are allowed.
  std::vector<std::pair<std::string, std::string>> query;
  // Headers to sign, including Host. Any caller-supplied Authorization, X-Amz-Date or Date is
  // ignored (the signer owns them); so is X-Amz-Security-Token when a session token is set.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;
  // When set, used as the payload hash instead of SHA-256(payload), e.g. "UNSIGNED-PAYLOAD".
  std::optional<std::string> payload_hash;
  std::string region;
  std::string service;
  AwsCredentials credentials;
  std::chrono::system_clock::time_point time;

  // Encode the path twice for the canonical request (every service except S3).
  bool double_encode_path = true;
  // Remove `.`, `..` and empty path segments (every service except S3).
  bool normalize_path = true;
  // Add and sign an X-Amz-Content-SHA256 header carrying the payload hash.
  bool add_content_sha256_header = false;
};

struct SignedHeaders {
  std::string authorization;                  // value of the Authorization header
  std::string amz_date;                       // value of X-Amz-Date, e.g. 20150830T123600Z
  std::optional<std::string> content_sha256;  // X-Amz-Content-SHA256, if requested
  std::optional<std::string> security_token;  // X-Amz-Security-Token, if a session token is used
  std::string encoded_path;                   // the path to put on the request line (encoded once)
  std::string canonical_query;    // the query string to put on the request line (may be empty)
  std::string payload_hash;       // hex SHA-256 of the payload (or the supplied hash)
  std::string signed_headers;     // e.g. "host;x-amz-date"
  std::string canonical_request;  // exposed for tests and debugging; contains no secret
  std::string string_to_sign;
  std::string signature;  // hex

  // All headers the caller must add to the request, in a stable order.
  std::vector<std::pair<std::string, std::string>> as_headers() const;
};

// Signs `in`. Fails with kInvalidRequest on input that cannot be signed safely (no Host header,
// empty credentials/region/service, control characters in header names or values) and with
// kInternal if OpenSSL fails.
Result<SignedHeaders> sign_request(const SigningInput& in);

// Building blocks, exposed for tests.
// Percent-encodes every byte outside the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~);
// '/' is kept when keep_slash is true.
std::string uri_encode(std::string_view s, bool keep_slash);
// "YYYYMMDDTHHMMSSZ" in UTC.
std::string format_amz_date(std::chrono::system_clock::time_point t);

}  // namespace osprey::providers::bedrock
