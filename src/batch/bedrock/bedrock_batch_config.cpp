#include "batch/bedrock/bedrock_batch_config.h"

#include <set>

#include "providers/upstream_call.h"

namespace osprey::batch::bedrock {
namespace {

using nlohmann::json;

constexpr std::string_view kSection = "batch.native.adapters.bedrock";

Error invalid(std::string_view key, const std::string& message) {
  return make_error(ErrorCode::kConfigInvalid, std::string(kSection) + (key.empty() ? "" : ".") +
                                                   std::string(key) + ": " + message);
}

bool is_http_url(const std::string& url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  return s;
}

// Reads `key` as a string into `out`; an error when present with another type.
std::optional<Error> read_string(const json& options, const char* key, std::string& out) {
  auto it = options.find(key);
  if (it == options.end()) return std::nullopt;
  if (!it->is_string()) return invalid(key, "must be a string");
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<Error> read_count(const json& options, const char* key, std::size_t min,
                                std::size_t max, std::size_t& out) {
  auto it = options.find(key);
  if (it == options.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<std::int64_t>() < static_cast<std::int64_t>(min) ||
      it->get<std::int64_t>() > static_cast<std::int64_t>(max)) {
    return invalid(
        key, "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  out = it->get<std::size_t>();
  return std::nullopt;
}

}  // namespace

Result<BedrockBatchConfig> parse_bedrock_batch_config(const AdapterContext& context,
                                                      const providers::bedrock::EnvLookup& env) {
  const json& o = context.options;
  if (!o.is_object()) return invalid("", "must be an object");
  static const std::set<std::string> kKnown = {"bucket",       "prefix",           "role_arn",
                                               "region",       "bedrock_endpoint", "s3_endpoint",
                                               "min_records",  "max_records",      "timeout_hours",
                                               "model_family", "max_output_mb"};
  for (const auto& [key, value] : o.items()) {
    if (!kKnown.contains(key)) return invalid(key, "unknown key");
  }
  BedrockBatchConfig c;
  c.region = context.provider.region;
  c.tls = providers::tls_settings(context.provider);
  std::string family;
  std::size_t timeout_hours = 0;
  std::size_t max_output_mb = c.max_output_bytes >> 20;
  for (auto e :
       {read_string(o, "bucket", c.bucket), read_string(o, "prefix", c.prefix),
        read_string(o, "role_arn", c.role_arn), read_string(o, "region", c.region),
        read_string(o, "bedrock_endpoint", c.bedrock_endpoint),
        read_string(o, "s3_endpoint", c.s3_endpoint), read_string(o, "model_family", family),
        read_count(o, "min_records", 1, 1'000'000, c.min_records),
        read_count(o, "max_records", 1, 1'000'000, c.max_records),
        read_count(o, "timeout_hours", 24, 168, timeout_hours),
        read_count(o, "max_output_mb", 1, 16384, max_output_mb)}) {
    if (e) return *e;
  }
  if (c.bucket.empty()) return invalid("bucket", "is required");
  if (c.role_arn.empty()) return invalid("role_arn", "is required (the batch service role)");
  if (c.region.empty()) return invalid("region", "is required (or set on the deployment)");
  if (c.min_records > c.max_records) return invalid("min_records", "must be <= max_records");
  c.prefix = trim_slashes(c.prefix);
  for (auto* url : {&c.bedrock_endpoint, &c.s3_endpoint}) {
    while (!url->empty() && url->back() == '/') url->pop_back();
  }
  if (!c.bedrock_endpoint.empty() && !is_http_url(c.bedrock_endpoint)) {
    return invalid("bedrock_endpoint", "must be an http(s) URL");
  }
  if (!c.s3_endpoint.empty() && !is_http_url(c.s3_endpoint)) {
    return invalid("s3_endpoint", "must be an http(s) URL");
  }
  if (c.bedrock_endpoint.empty()) {
    c.bedrock_endpoint = "https://bedrock." + c.region + ".amazonaws.com";
  }
  if (!family.empty()) {
    c.model_family = providers::bedrock::parse_batch_model_family(family);
    if (!c.model_family) return invalid("model_family", "must be \"claude\" or \"nova\"");
  }
  if (timeout_hours != 0) c.timeout_hours = static_cast<int>(timeout_hours);
  c.max_output_bytes = max_output_mb << 20;
  auto credentials = providers::bedrock::provider_credentials(context.provider, env);
  if (!credentials) return invalid("", credentials.error().message);
  c.credentials = std::move(*credentials);
  return c;
}

}  // namespace osprey::batch::bedrock
