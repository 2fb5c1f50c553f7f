#pragma once
// Osprey's configuration: typed structs filled once at startup from, in rising precedence,
// built-in defaults < a YAML file < OSPREY_* environment variables < command-line overrides, then
// validated. Errors are one line naming the key, the bad value and the rule. Values are plain
// data: pass them down explicitly; nothing reads configuration from a global.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; [v6]:port accepted
  int io_threads = 2;
  std::int64_t max_header_bytes = 16384;
  std::int64_t max_body_bytes = 8388608;
  std::int64_t header_timeout_ms = 10000, body_timeout_ms = 30000, idle_timeout_ms = 60000;
  std::int64_t write_timeout_ms = 30000, drain_timeout_ms = 30000;
  std::int64_t max_connections = 10000;
  bool debug_endpoints = false;  // enables /debug/* routes used by tests and benchmarks
};

struct LogConfig {
  std::string level = "info";  // debug | info | warn | error
  std::string file;            // also log to this file when set
  double debug_sample_rate = 1.0;
  bool access_log = true;
};

struct StoreConfig {
  std::string url;  // empty in defaults; load_config resolves it to "sqlite:<data_dir>/osprey.db"
  int busy_timeout_ms = 5000;
  int pool_size = 4;
};

struct SecretsConfig {
  std::string encryption_key;  // secret: env var or secrets.encryption_key_file only
};

struct Config {
  std::string data_dir = "./osprey-data";
  int worker_threads = 4;
  ServerConfig server;
  LogConfig log;
  StoreConfig store;
  SecretsConfig secrets;
  // Top-level sections owned by later modules (see config_section_names()): kept verbatim as JSON
  // for their owner to parse and validate. Plain YAML scalars are typed (int, float, bool, null).
  nlohmann::json sections = nlohmann::json::object();
  std::string config_file;  // path it was loaded from, empty if none
};

struct ConfigSources {
  std::string file;                        // YAML path, may be empty (then OSPREY_CONFIG is used)
  std::map<std::string, std::string> env;  // usually process_environment()
  std::vector<std::pair<std::string, std::string>> overrides;  // dotted key -> value, from flags
};

// Loads, merges and validates. Errors have code kConfigInvalid and a one-line message starting
// with "config: ". Env vars: OSPREY_ + upper-cased key with '.' -> '_' (OSPREY_SERVER_LISTEN);
// OSPREY_* names that match no key are ignored. OSPREY_CONFIG names the YAML file when
// sources.file is empty. A secret key K may also be given as K_file (a path whose content,
// trailing newline trimmed, is the value) in any source; inline secrets in YAML are rejected.
// Overrides may also target a key inside a section ("cache.max_entries"); the value is stored
// there as a typed scalar.
Result<Config> load_config(const ConfigSources& sources);

// The process environment (from `environ`).
std::map<std::string, std::string> process_environment();

// The effective configuration as YAML that load_config accepts back (except secrets, which are
// shown as "********", or "" when unset).
std::string render_config(const Config& config);

// Every non-empty secret value in `config`, for the logger to scrub.
std::vector<std::string> secret_values(const Config& config);

struct ConfigKey {
  std::string name;           // dotted key, e.g. "server.listen"
  std::string env;            // e.g. "OSPREY_SERVER_LISTEN"
  std::string type;           // "string", "int", "bool", "double", "duration_ms", "bytes", ...
  std::string default_value;  // as text; "" when there is none
  std::string description;    // one sentence including the accepted range
  bool secret;
};

// Every scalar key, in documentation order, for docs and `osprey config print`.
const std::vector<ConfigKey>& config_keys();

// The free-form top-level sections kept in Config::sections.
const std::vector<std::string>& config_section_names();

struct ListenAddress {
  std::string host;  // without brackets for IPv6
  int port = 0;      // 0 means "pick a free port"
};

// Parses "host:port" or "[v6]:port" (port 0-65535, host non-empty).
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace osprey
