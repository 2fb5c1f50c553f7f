#pragma once
// AWS credentials for SigV4 and where they come from: the standard environment variables or a
// shared credentials file (~/.aws/credentials, INI). The secret never appears in an error
// message or in describe(). All functions are thread-safe; environment access goes through an
// injected EnvLookup so tests do not touch the process environment.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/provider.h"

namespace osprey::providers::bedrock {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::optional<std::string> session_token;  // temporary (STS) credentials only
};

// A printable description for logs: the key id, "<redacted>" for the secret, and whether a
// session token is present.
std::string describe(const AwsCredentials& credentials);

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// Reads the real process environment.
EnvLookup process_env();

// From AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optional AWS_SESSION_TOKEN.
// kNotFound when neither key variable is set; kConfigInvalid when only one is.
Result<AwsCredentials> credentials_from_env(const EnvLookup& env);

// Parses the text of a shared credentials file and returns profile `profile` (a `[profile]`
// section with aws_access_key_id, aws_secret_access_key and optional aws_session_token).
// `source` names the file in error messages.
Result<AwsCredentials> parse_credentials_file(std::string_view text, std::string_view profile,
                                              std::string_view source);

// Reads `path` and parses it as above. kNotFound if the file does not exist.
Result<AwsCredentials> credentials_from_file(const std::filesystem::path& path,
                                             std::string_view profile);

// AWS_SHARED_CREDENTIALS_FILE if set, else $HOME/.aws/credentials; nullopt if neither is known.
std::optional<std::filesystem::path> default_credentials_path(const EnvLookup& env);

// The usual resolution order: environment variables first, then the shared credentials file
// (profile from `profile`, else AWS_PROFILE, else "default").
Result<AwsCredentials> resolve_credentials(const EnvLookup& env,
                                           std::optional<std::string> profile = std::nullopt);

// A deployment's credentials: the config's key pair (both or neither) and session token, else
// resolve_credentials(env). kConfigInvalid with a message naming the missing field.
Result<AwsCredentials> provider_credentials(const ProviderConfig& config, const EnvLookup& env);

}  // namespace osprey::providers::bedrock
