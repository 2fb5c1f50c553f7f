#pragma once
// CommandLine: the parsed `osprey <command> [subcommand] [flags]` invocation. Configuration
// flags become dotted-key overrides with the same validation as YAML and env values.
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/result.h"

namespace osprey::app {

struct CommandLine {
  std::vector<std::string> words;  // command and subcommand words, e.g. {"config", "print"}
  ConfigSources config;            // --config, env, and flag overrides
  std::vector<std::pair<std::string, std::string>> options;  // other --name value flags
  bool help = false;
};

// Parses argv (without argv[0]). Unknown flags are errors naming the flag.
Result<CommandLine> parse_command_line(int argc, const char* const* argv);

// Usage text for `osprey help`.
std::string usage();

}  // namespace osprey::app
