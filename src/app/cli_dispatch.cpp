#include <cstdio>
#include <string>

#include "app/commands.h"
#include "cli/jobs_command.h"
#include "cli/maze_command.h"
#include "cli/review_command.h"

namespace osprey::app {
int usage_failure(const std::string& message) {
  std::fprintf(stderr, "osprey: %s\n", message.c_str());
  return 2;
}

int run_cli(int argc, const char* const* argv) {
  Result<CommandLine> cl = parse_command_line(argc, argv);
  if (!cl) return usage_failure(cl.error().message);
  const std::string command = cl->words.empty() ? "help" : cl->words.front();
  if (cl->help || command == "help") {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  if (command == "serve") return run_serve(*cl);
  if (command == "config") return run_config(*cl);
  if (command == "version") return run_version(*cl);
  if (command == "jobs") {
    return cli::run_jobs({.words = cl->words, .options = cl->options, .env = cl->config.env});
  }
  if (command == "review") {
    return cli::run_review({.words = cl->words, .options = cl->options, .env = cl->config.env});
  }
  if (command == "maze") {
    return cli::run_maze({.words = cl->words, .options = cl->options, .env = cl->config.env});
  }
  if (command == "tenants") return run_tenants(*cl);
  if (command == "keys") return run_keys(*cl);
  if (command == "audit") return run_audit(*cl);
  return usage_failure("unknown command \"" + command + "\"");
}

}  // namespace osprey::app
