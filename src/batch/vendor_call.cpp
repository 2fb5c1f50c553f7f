#include "batch/vendor_call.h"

#include "core/json_parse.h"
#include "net/blocking_client.h"

namespace osprey::batch {
namespace {

Result<nlohmann::json> vendor_json(const net::ClientResponse& response, std::string_view what) {
  nlohmann::json body = parse_json(response.body);
  if (body.is_discarded() || !body.is_object()) {
    return make_error(ErrorCode::kUpstreamError, std::string(what) + ": not a JSON object: " +
                                                     providers::body_excerpt(response.body));
  }
  return body;
}

}  // namespace

Result<net::ClientResponse> vendor_call(const providers::ProviderConfig& config, std::string method,
                                        std::string url, const net::Headers& headers,
                                        std::string body,
                                        const providers::ErrorParser& parse_error) {
  auto request = providers::make_client_request(config, providers::CallContext{}, std::move(method),
                                                std::move(url), std::move(body));
  if (!request) return request.error().to_error();
  for (const auto& [name, value] : headers.fields()) request->headers.set(name, value);
  net::ClientOptions options;  // the request carries the deployment's TLS settings
  options.max_response_body_bytes = 512ull * 1024 * 1024;  // batch results files
  auto response = net::fetch(std::move(request.value()), options);
  if (!response) return providers::upstream_error_from_client(response.error()).to_error();
  if (response->status < 200 || response->status > 299) {
    return parse_error(response->status, response->headers, response->body).to_error();
  }
  return response;
}

Result<nlohmann::json> vendor_call_json(const providers::ProviderConfig& config, std::string method,
                                        std::string url, const net::Headers& headers,
                                        std::string body, const providers::ErrorParser& parse_error,
                                        std::string_view what) {
  auto response =
      vendor_call(config, std::move(method), std::move(url), headers, std::move(body), parse_error);
  if (!response) return response.error();
  return vendor_json(response.value(), what);
}

Result<std::string> required_string(const nlohmann::json& node, const char* key,
                                    std::string_view what, std::string_view noun) {
  std::string value = string_field(node, key);
  if (value.empty()) {
    return make_error(ErrorCode::kUpstreamError,
                      std::string(what) + ": no " + std::string(noun) + " in the answer");
  }
  return value;
}

std::string string_field(const nlohmann::json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status for_each_jsonl_line(std::string_view body,
                           const std::function<Status(std::string_view line)>& line) {
  while (!body.empty()) {
    const auto nl = body.find('\n');
    std::string_view one = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
    if (one.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (Status st = line(one); !st.ok()) return st;
  }
  return {};
}

}  // namespace osprey::batch
