#include "providers/bedrock/aws_credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

namespace osprey::providers::bedrock {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

std::string quoted(std::string_view s) {
  // Built with append: GCC 12 reports a false -Wrestrict on "'" + std::string(s) at -O3.
  std::string out = "'";
  out.append(s).push_back('\'');
  return out;
}

std::optional<std::string> non_empty(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string describe(const AwsCredentials& credentials) {
  return "AwsCredentials{access_key_id=" + credentials.access_key_id +
         ", secret_access_key=<redacted>, session_token=" +
         (credentials.session_token ? "<set>" : "<none>") + "}";
}

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<AwsCredentials> credentials_from_env(const EnvLookup& env) {
  std::optional<std::string> id = non_empty(env, "AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = non_empty(env, "AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) {
    return make_error(ErrorCode::kNotFound,
                      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  if (!id || !secret) {
    return make_error(ErrorCode::kConfigInvalid,
                      std::string(id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
                          " is not set, but " +
                          (id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is");
  }
  return AwsCredentials{*id, *secret, non_empty(env, "AWS_SESSION_TOKEN")};
}

Result<AwsCredentials> parse_credentials_file(std::string_view text, std::string_view profile,
                                              std::string_view source) {
  bool found = false;
  bool in_profile = false;
  AwsCredentials creds;
  std::optional<std::string> legacy_token;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return make_error(
            ErrorCode::kConfigInvalid,
            std::string(source) + ":" + std::to_string(line_no) + ": section header without ']'");
      }
      in_profile = trim(line.substr(1, line.size() - 2)) == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      // The line may hold a secret: report only where it is.
      return make_error(
          ErrorCode::kConfigInvalid,
          std::string(source) + ":" + std::to_string(line_no) + ": expected 'key = value'");
    }
    std::string_view key = trim(line.substr(0, eq));
    std::string value(trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id") {
      creds.access_key_id = value;
    } else if (key == "aws_secret_access_key") {
      creds.secret_access_key = value;
    } else if (key == "aws_session_token") {
      creds.session_token = value;
    } else if (key == "aws_security_token") {  // older name, still read by the AWS CLI
      legacy_token = value;
    }
  }
  if (!found) {
    return make_error(ErrorCode::kNotFound,
                      "profile " + quoted(profile) + " not found in " + std::string(source));
  }
  for (auto [name, value] : {std::pair{"aws_access_key_id", &creds.access_key_id},
                             std::pair{"aws_secret_access_key", &creds.secret_access_key}}) {
    if (value->empty()) {
      return make_error(ErrorCode::kConfigInvalid, "profile " + quoted(profile) + " in " +
                                                       std::string(source) + " has no " + name);
    }
  }
  if (!creds.session_token && legacy_token) creds.session_token = legacy_token;
  if (creds.session_token && creds.session_token->empty()) creds.session_token.reset();
  return creds;
}

Result<AwsCredentials> credentials_from_file(const std::filesystem::path& path,
                                             std::string_view profile) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return make_error(ErrorCode::kNotFound, "AWS credentials file " + path.string() + " not found");
  }
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (file.is_open() && std::filesystem::is_regular_file(path, ec)) text << file.rdbuf();
  if (!file.is_open() || !std::filesystem::is_regular_file(path, ec) || file.bad()) {
    return make_error(ErrorCode::kConfigInvalid,
                      "cannot read AWS credentials file " + path.string());
  }
  return parse_credentials_file(text.str(), profile, path.string());
}

std::optional<std::filesystem::path> default_credentials_path(const EnvLookup& env) {
  if (auto explicit_path = non_empty(env, "AWS_SHARED_CREDENTIALS_FILE")) {
    return std::filesystem::path(*explicit_path);
  }
  if (auto home = non_empty(env, "HOME")) {
    return std::filesystem::path(*home) / ".aws" / "credentials";
  }
  return std::nullopt;
}

Result<AwsCredentials> resolve_credentials(const EnvLookup& env,
                                           std::optional<std::string> profile) {
  Result<AwsCredentials> from_env = credentials_from_env(env);
  if (from_env.ok() || from_env.code() != ErrorCode::kNotFound) return from_env;
  std::optional<std::filesystem::path> path = default_credentials_path(env);
  if (!path) {
    return make_error(ErrorCode::kNotFound,
                      "no AWS credentials: environment variables unset and HOME unknown");
  }
  if (!profile) profile = non_empty(env, "AWS_PROFILE").value_or("default");
  return credentials_from_file(*path, *profile);
}

Result<AwsCredentials> provider_credentials(const ProviderConfig& config, const EnvLookup& env) {
  auto invalid = [](std::string what) { return make_error(ErrorCode::kConfigInvalid, what); };
  if (config.aws_access_key_id.empty() && config.aws_secret_access_key.empty()) {
    auto resolved = resolve_credentials(env);
    if (!resolved) {
      return invalid(
          "no AWS credentials: set aws_access_key_id_env/aws_secret_access_key_env (or _file), "
          "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a shared credentials file (" +
          resolved.error().message + ")");
    }
    return resolved;
  }
  if (config.aws_access_key_id.empty()) {
    return invalid("aws_access_key_id is required when aws_secret_access_key is set");
  }
  if (config.aws_secret_access_key.empty()) {
    return invalid("aws_secret_access_key is required when aws_access_key_id is set");
  }
  AwsCredentials credentials;
  credentials.access_key_id = config.aws_access_key_id;
  credentials.secret_access_key = config.aws_secret_access_key;
  if (!config.aws_session_token.empty()) credentials.session_token = config.aws_session_token;
  return credentials;
}

}  // namespace osprey::providers::bedrock
