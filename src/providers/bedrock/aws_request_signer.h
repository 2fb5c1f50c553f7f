#pragma once
// Turns a prepared net::ClientRequest into a SigV4-signed request for an AWS endpoint: sets
// Host, signs every header already on the request (so set Accept / Content-Type first), adds
// Authorization / X-Amz-Date (and X-Amz-Security-Token, X-Amz-Content-SHA256 for S3), and sets
// the URL from the base URL (which may carry a path prefix) plus the unescaped path segments.
// Shared by the Bedrock runtime provider and the Bedrock batch adapter (control plane and S3).
// Pure apart from reading the clock when no time is given; thread-safe.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "net/http_client.h"
#include "providers/bedrock/aws_credentials.h"

namespace osprey::providers::bedrock {

struct AwsSigningScope {
  std::string region;
  std::string service;  // "bedrock", "s3"
  AwsCredentials credentials;
};

// S3 signs the path as sent (no second encoding, no normalization) and wants the payload hash
// in X-Amz-Content-SHA256; every other service follows the default rules.
Status sign_aws_request(
    net::ClientRequest& request, std::string_view base_url,
    const std::vector<std::string>& segments,
    const std::vector<std::pair<std::string, std::string>>& query, const AwsSigningScope& scope,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace osprey::providers::bedrock
