#include "cli/api_client.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/json_parse.h"
#include "net/blocking_client.h"

namespace osprey::cli {

ApiContext api_context(const std::vector<std::pair<std::string, std::string>>& options,
                       const std::map<std::string, std::string>& env) {
  ApiContext c;
  for (const auto& [name, value] : options) c.flags[name] = value;
  c.json_out = c.flags.count("json") > 0;
  auto from_env = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  c.url = flag(c, "url", from_env("OSPREY_URL"));
  if (c.url.empty()) c.url = "http://127.0.0.1:8080";
  while (!c.url.empty() && c.url.back() == '/') c.url.pop_back();
  c.key = flag(c, "key", from_env("OSPREY_API_KEY"));
  return c;
}

std::string flag(const ApiContext& c, const std::string& name, std::string fallback) {
  auto it = c.flags.find(name);
  return it == c.flags.end() ? fallback : it->second;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

void append_query(std::string& query, const std::string& name, const std::string& value) {
  // Appended piece by piece: GCC 12 reports a false -Wrestrict for a chain of operator+ here.
  query += query.empty() ? '?' : '&';
  query += url_encode(name);
  query += '=';
  query += url_encode(value);
}

std::optional<std::string> read_input(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    text << in.rdbuf();
  }
  return text.str();
}

int print_reply(const ApiContext& c, const std::string& body,
                void (*human)(const nlohmann::json&)) {
  if (c.json_out) {
    std::printf("%s\n", body.c_str());
    return 0;
  }
  auto j = parse_json(body);
  if (j.is_discarded()) {
    std::printf("%s\n", body.c_str());
    return 0;
  }
  human(j);
  return 0;
}

std::optional<ApiReply> call_api(const ApiContext& c, const std::string& method,
                                 const std::string& path, const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  net::ClientRequest request;
  request.method = method;
  request.url = c.url + path;
  request.body = body;
  if (!body.empty()) request.headers.set("content-type", "application/json");
  if (!c.key.empty()) request.headers.set("authorization", "Bearer " + c.key);
  for (const auto& [k, v] : headers) request.headers.set(k, v);
  request.total_timeout = std::chrono::minutes(10);
  auto response = net::fetch(std::move(request));
  if (!response) {
    std::fprintf(stderr, "osprey: %s: %s\n", c.url.c_str(), response.error().message.c_str());
    return std::nullopt;
  }
  if (response->status >= 400) {
    auto err = parse_json(response->body);
    std::string message = response->body;
    if (err.is_object() && err.contains("error") && err["error"].is_object()) {
      message = err["error"].value("code", "") + ": " + err["error"].value("message", "");
    }
    std::fprintf(stderr, "osprey: HTTP %d %s\n", response->status, message.c_str());
    return std::nullopt;
  }
  return ApiReply{response->status, std::move(response->body)};
}

}  // namespace osprey::cli
