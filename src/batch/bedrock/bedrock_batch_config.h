#pragma once
// The Bedrock batch adapter's settings: the deployment's region and credentials plus its own
// section batch.native.adapters.bedrock (S3 bucket and prefix, service role, endpoint
// overrides, record limits, model family override). Parsed once at startup; a plain value.
#include <cstddef>
#include <optional>
#include <string>

#include "batch/batch_adapter_registry.h"
#include "core/result.h"
#include "net/http_client.h"
#include "providers/bedrock/aws_credentials.h"
#include "providers/bedrock/batch_model_input.h"

namespace osprey::batch::bedrock {

struct BedrockBatchConfig {
  std::string region;
  providers::bedrock::AwsCredentials credentials;
  std::string bucket;
  std::string prefix = "osprey-batch";  // object keys: <prefix>/<label>/...
  std::string role_arn;                 // the service role Bedrock assumes to read and write S3
  // Control plane, default https://bedrock.<region>.amazonaws.com.
  std::string bedrock_endpoint;
  // Empty: virtual-hosted AWS S3 (https://<bucket>.s3.<region>.amazonaws.com/<key>). Set: an
  // S3-compatible endpoint addressed path-style (<endpoint>/<bucket>/<key>), e.g. a test fake.
  std::string s3_endpoint;
  std::size_t min_records = 100;  // Bedrock quota "Minimum number of records per batch job"
  std::size_t max_records = 50000;
  std::optional<int> timeout_hours;  // timeoutDurationInHours; Bedrock's default when unset
  // Forces the modelInput format for model ids the family rules do not recognize.
  std::optional<providers::bedrock::BatchModelFamily> model_family;
  std::size_t max_output_bytes = 256 * 1024 * 1024;  // largest output file read on import
  net::TlsSettings tls;                              // the deployment's verify_tls and ca_file
};

// kConfigInvalid naming the key ("batch.native.adapters.bedrock.bucket: is required").
Result<BedrockBatchConfig> parse_bedrock_batch_config(
    const AdapterContext& context,
    const providers::bedrock::EnvLookup& env = providers::bedrock::process_env());

}  // namespace osprey::batch::bedrock
