#include "core/config_schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace osprey {
namespace config_schema {
namespace {

constexpr std::int64_t kMaxTimeoutMs = 86'400'000;  // one day

std::string env_name(std::string_view key) {
  std::string out = "OSPREY_";
  for (char c : key) {
    out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

template <class T>
bool parse_integer(const std::string& text, T* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && !text.empty();
}

std::optional<bool> parse_bool(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return std::nullopt;
}

std::string format_double(double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string out(buf, ptr);
  if (out.find_first_of(".eE") == std::string::npos) out += ".0";
  return out;
}

// Accessors return a reference to the member a key controls.
template <class T>
using Access = T& (*)(Config&);

template <class T>
KeySpec int_key(std::string name, Access<T> access, T min, T max, std::string type,
                std::string description) {
  KeySpec spec;
  const std::string rule =
      "must be an integer between " + std::to_string(min) + " and " + std::to_string(max);
  Config defaults;
  spec.key = {name,
              env_name(name),
              std::move(type),
              std::to_string(access(defaults)),
              std::move(description) + " (" + std::to_string(min) + "-" + std::to_string(max) + ")",
              false};
  spec.set = [=](Config& c, const std::string& text) -> std::optional<std::string> {
    T v{};
    if (!parse_integer(text, &v) || v < min || v > max) return rule;
    access(c) = v;
    return std::nullopt;
  };
  spec.get = [=](const Config& c) { return std::to_string(access(const_cast<Config&>(c))); };
  return spec;
}

KeySpec bool_key(std::string name, Access<bool> access, std::string description) {
  KeySpec spec;
  Config defaults;
  spec.key = {
      name, env_name(name), "bool", access(defaults) ? "true" : "false", std::move(description),
      false};
  spec.set = [=](Config& c, const std::string& text) -> std::optional<std::string> {
    auto v = parse_bool(text);
    if (!v) return "must be true or false";
    access(c) = *v;
    return std::nullopt;
  };
  spec.get = [=](const Config& c) -> std::string {
    return access(const_cast<Config&>(c)) ? "true" : "false";
  };
  return spec;
}

using StringRule = std::optional<std::string> (*)(const std::string&);

KeySpec string_key(std::string name, Access<std::string> access, std::string type,
                   std::string description, StringRule rule, bool secret = false) {
  KeySpec spec;
  Config defaults;
  spec.key = {name,  env_name(name), std::move(type), access(defaults), std::move(description),
              secret};
  spec.is_string = true;
  spec.set = [=](Config& c, const std::string& text) -> std::optional<std::string> {
    if (rule != nullptr) {
      if (auto violated = rule(text)) return violated;
    }
    access(c) = text;
    return std::nullopt;
  };
  spec.get = [=](const Config& c) { return access(const_cast<Config&>(c)); };
  return spec;
}

std::optional<std::string> listen_rule(const std::string& text) {
  if (!parse_listen_address(text).ok()) {
    return "must be host:port or [ipv6]:port with a port between 0 and 65535";
  }
  return std::nullopt;
}

std::optional<std::string> level_rule(const std::string& text) {
  if (text == "debug" || text == "info" || text == "warn" || text == "error") return std::nullopt;
  return "must be one of debug, info, warn, error";
}

std::optional<std::string> store_url_rule(const std::string& text) {
  if (text.empty()) return std::nullopt;  // resolved to the SQLite default
  if (text.rfind("sqlite:", 0) == 0 && text.size() > 7) return std::nullopt;
  if (text.rfind("postgres://", 0) == 0 || text.rfind("postgresql://", 0) == 0) {
    return std::nullopt;
  }
  return "must start with sqlite:<path>, postgres:// or postgresql://";
}

std::optional<std::string> non_empty_rule(const std::string& text) {
  if (text.empty()) return "must not be empty";
  return std::nullopt;
}

KeySpec sample_rate_key() {
  KeySpec spec;
  const std::string name = "log.debug_sample_rate";
  spec.key = {
      name, env_name(name), "double", "1.0", "Fraction of DEBUG lines kept, chosen at random (0-1)",
      false};
  spec.set = [](Config& c, const std::string& text) -> std::optional<std::string> {
    double v = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || v < 0 || v > 1) {
      return "must be a number between 0 and 1";
    }
    c.log.debug_sample_rate = v;
    return std::nullopt;
  };
  spec.get = [](const Config& c) { return format_double(c.log.debug_sample_rate); };
  return spec;
}

std::vector<KeySpec> build_specs() {
  using I64 = std::int64_t;
  std::vector<KeySpec> s;
  s.push_back(string_key(
      "data_dir", [](Config& c) -> std::string& { return c.data_dir; }, "path",
      "Directory for the embedded database, job results and other local state", non_empty_rule));
  s.push_back(int_key<int>(
      "worker_threads", [](Config& c) -> int& { return c.worker_threads; }, 1, 1024, "int",
      "Threads running batch job items and background work"));
  s.push_back(string_key(
      "server.listen", [](Config& c) -> std::string& { return c.server.listen; }, "host:port",
      "Address the HTTP server listens on; [v6]:port accepted, port 0 picks a free port",
      listen_rule));
  s.push_back(int_key<int>(
      "server.io_threads", [](Config& c) -> int& { return c.server.io_threads; }, 1, 256, "int",
      "Threads running the HTTP server's event loops"));
  s.push_back(int_key<I64>(
      "server.max_header_bytes", [](Config& c) -> I64& { return c.server.max_header_bytes; }, 1024,
      1 << 24, "bytes", "Largest accepted request header block in bytes"));
  s.push_back(int_key<I64>(
      "server.max_body_bytes", [](Config& c) -> I64& { return c.server.max_body_bytes; }, 1,
      I64{1} << 34, "bytes", "Largest accepted request body in bytes"));
  const auto timeout = [&](const char* name, I64& (*access)(Config&), const char* what) {
    s.push_back(int_key<I64>(name, access, 1, kMaxTimeoutMs, "duration_ms", what));
  };
  timeout(
      "server.header_timeout_ms", [](Config& c) -> I64& { return c.server.header_timeout_ms; },
      "Milliseconds a client may take to send the request headers");
  timeout(
      "server.body_timeout_ms", [](Config& c) -> I64& { return c.server.body_timeout_ms; },
      "Milliseconds a client may take to send the request body");
  timeout(
      "server.idle_timeout_ms", [](Config& c) -> I64& { return c.server.idle_timeout_ms; },
      "Milliseconds an idle keep-alive connection is kept open");
  timeout(
      "server.write_timeout_ms", [](Config& c) -> I64& { return c.server.write_timeout_ms; },
      "Milliseconds allowed for writing one response");
  timeout(
      "server.drain_timeout_ms", [](Config& c) -> I64& { return c.server.drain_timeout_ms; },
      "Milliseconds in-flight requests get to finish at shutdown");
  s.push_back(int_key<I64>(
      "server.max_connections", [](Config& c) -> I64& { return c.server.max_connections; }, 1,
      1'000'000, "int", "Concurrent connections accepted before new ones are refused"));
  s.push_back(bool_key(
      "server.debug_endpoints", [](Config& c) -> bool& { return c.server.debug_endpoints; },
      "Enable the /debug/* routes used by tests and benchmarks; never in production"));
  s.push_back(string_key(
      "log.level", [](Config& c) -> std::string& { return c.log.level; }, "enum",
      "Lowest level logged: debug, info, warn or error", level_rule));
  s.push_back(string_key(
      "log.file", [](Config& c) -> std::string& { return c.log.file; }, "path",
      "Also append JSON log lines to this file (stderr always gets them)", nullptr));
  s.push_back(sample_rate_key());
  s.push_back(bool_key(
      "log.access_log", [](Config& c) -> bool& { return c.log.access_log; },
      "Log one line per HTTP request"));
  s.push_back(string_key(
      "store.url", [](Config& c) -> std::string& { return c.store.url; }, "url",
      "Durable store: sqlite:<path> or postgres://...; default sqlite:<data_dir>/osprey.db",
      store_url_rule));
  s.push_back(int_key<int>(
      "store.busy_timeout_ms", [](Config& c) -> int& { return c.store.busy_timeout_ms; }, 1,
      600'000, "duration_ms", "Milliseconds to wait for a locked database"));
  s.push_back(int_key<int>(
      "store.pool_size", [](Config& c) -> int& { return c.store.pool_size; }, 1, 256, "int",
      "Database connections kept open"));
  s.push_back(string_key(
      "secrets.encryption_key", [](Config& c) -> std::string& { return c.secrets.encryption_key; },
      "secret",
      "Key encrypting stored provider credentials; set by env var or "
      "secrets.encryption_key_file, never inline in the file",
      nullptr, /*secret=*/true));
  return s;
}

}  // namespace

const std::vector<KeySpec>& key_specs() {
  static const std::vector<KeySpec> specs = build_specs();
  return specs;
}

const KeySpec* find_key(std::string_view name) {
  for (const auto& spec : key_specs()) {
    if (spec.key.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace config_schema

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> out;
    for (const auto& spec : config_schema::key_specs()) out.push_back(spec.key);
    return out;
  }();
  return keys;
}

const std::vector<std::string>& config_section_names() {
  static const std::vector<std::string> names = {"models",    "deployments", "providers", "pricing",
                                                 "tenants",   "auth",        "cache",     "limits",
                                                 "admission", "validation",  "audit",     "jobs",
                                                 "workloads", "experiments", "batch"};
  return names;
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto bad = [&] {
    return make_error(ErrorCode::kConfigInvalid,
                      "invalid listen address '" + std::string(text) + "'");
  };
  ListenAddress out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad();
    }
    out.host = std::string(text.substr(1, close - 1));
    if (out.host.find(':') == std::string::npos) return bad();
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad();
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) return bad();  // bare IPv6 needs brackets
    port = text.substr(colon + 1);
  }
  if (out.host.empty() || port.empty() || port.size() > 5) return bad();
  for (char c : out.host) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '[' || c == ']') return bad();
  }
  int value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || value < 0 || value > 65535) {
    return bad();
  }
  out.port = value;
  return out;
}

}  // namespace osprey
