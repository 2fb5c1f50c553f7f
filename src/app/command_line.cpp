#include "app/command_line.h"

#include <string_view>

namespace osprey::app {
namespace {

struct FlagKey {
  std::string_view flag;
  std::string_view key;
};

// Convenience flags for the keys people set most; anything else goes through --set key=value.
constexpr FlagKey kConfigFlags[] = {
    {"--listen", "server.listen"},
    {"--data-dir", "data_dir"},
    {"--log-level", "log.level"},
    {"--io-threads", "server.io_threads"},
    {"--worker-threads", "worker_threads"},
    {"--store-url", "store.url"},
    {"--log-file", "log.file"},
};

Error usage_error(std::string message) {
  return make_error(ErrorCode::kInvalidRequest, std::move(message) + " (see `osprey help`)");
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, const char* const* argv) {
  CommandLine cl;
  cl.config.env = process_environment();
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      cl.help = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      cl.words.emplace_back(arg);
      continue;
    }
    std::string name(arg);
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    auto take_value = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    if (name == "--json" || name == "--follow" || name == "--yes") {
      cl.options.emplace_back(name.substr(2), "true");
      continue;
    }
    if (!take_value()) return usage_error("flag " + name + " needs a value");
    if (name == "--config") {
      cl.config.file = value;
      continue;
    }
    if (name == "--set") {
      auto eq = value.find('=');
      if (eq == std::string::npos || eq == 0) {
        return usage_error("--set takes key=value (got \"" + value + "\")");
      }
      cl.config.overrides.emplace_back(value.substr(0, eq), value.substr(eq + 1));
      continue;
    }
    bool matched = false;
    for (const auto& f : kConfigFlags) {
      if (name == f.flag) {
        cl.config.overrides.emplace_back(std::string(f.key), value);
        matched = true;
        break;
      }
    }
    if (!matched) cl.options.emplace_back(name.substr(2), value);
  }
  return cl;
}

std::string usage() {
  return R"(osprey - a self-hosted AI workload gateway

Usage:
  osprey serve [flags]          run the server (API and workers)
        --role all|api|worker   all (default), api (no job workers) or worker (job workers,
                                no public API beyond /healthz, /readyz, /metrics)
  osprey config print [flags]   print the effective configuration (secrets masked)
  osprey jobs <command>         submit, list, status, watch, cancel, results, redrive
                                (see `osprey jobs help`)
  osprey review REPO --rules FILE --model MODEL [--mode sync|native|auto] [--out DIR]
                                rule-based code review of a directory or archive as a batch
                                job; writes findings.json and report.md (see
                                `osprey review help`)
  osprey maze <command>         maze experiments: run, sweep, show, list, compare, cancel,
                                replay, mazes (see `osprey maze help`)
  osprey version                print version and build information
  osprey tenants create NAME [--tags JSON] | list | disable TENANT
                                manage tenants (TENANT = id or name)
  osprey keys create --tenant TENANT [--name N] [--plan JSON] [--expires-at TIME]
  osprey keys list --tenant TENANT | revoke KEY_ID
                                manage API keys (a new key is printed once)
  osprey audit verify [--anchor SEQ:HASH]
                                check the audit log's hash chain and anchor
  osprey help                   this text

Configuration flags (defaults < --config YAML < OSPREY_* env < flags):
  --config FILE        YAML configuration file
  --listen HOST:PORT   listen address (server.listen, default 127.0.0.1:8080)
  --data-dir DIR       data directory (data_dir, default ./osprey-data)
  --log-level LEVEL    debug | info | warn | error (log.level)
  --log-file FILE      also write JSON log lines to FILE (log.file)
  --io-threads N       I/O threads (server.io_threads)
  --worker-threads N   worker threads for blocking work (worker_threads)
  --store-url URL      sqlite:<path> or postgresql://... (store.url)
  --set KEY=VALUE      any configuration key, e.g. --set server.max_body_bytes=1048576

See docs/configuration.md for every key.
)";
}

}  // namespace osprey::app
