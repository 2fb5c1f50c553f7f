#pragma once
// What the CLI commands that talk to a running server share: where (--url, OSPREY_URL, default
// http://127.0.0.1:8080) and as whom (--key, OSPREY_API_KEY), and one API call that prints the
// server's error ("osprey: HTTP 404 not_found: ...") on failure.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace osprey::cli {

struct ApiContext {
  std::string url;  // without a trailing '/'
  std::string key;
  bool json_out = false;                     // --json: print the API's JSON as is
  std::map<std::string, std::string> flags;  // every --name value
};

ApiContext api_context(const std::vector<std::pair<std::string, std::string>>& options,
                       const std::map<std::string, std::string>& env);

// The flag's value, or `fallback` when it was not given.
std::string flag(const ApiContext& c, const std::string& name, std::string fallback = {});

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(const std::string& s);

// Appends "?name=value" (or "&name=value") with the value percent-encoded.
void append_query(std::string& query, const std::string& name, const std::string& value);

struct ApiReply {
  int status = 0;
  std::string body;
};

// The text of a request file argument: FILE, or stdin for "-"; nullopt when it cannot be read.
std::optional<std::string> read_input(const std::string& path);

// Prints an API reply: as is with --json (or when it is not JSON), else through `human`.
// Returns 0 (the exit code).
int print_reply(const ApiContext& c, const std::string& body, void (*human)(const nlohmann::json&));

// One API call (JSON body when given); prints the error and returns nullopt on failure.
std::optional<ApiReply> call_api(
    const ApiContext& c, const std::string& method, const std::string& path,
    const std::string& body = {},
    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace osprey::cli
