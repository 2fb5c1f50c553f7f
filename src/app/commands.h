#pragma once
// The `osprey` subcommands. Each returns the process exit code.
#include <string>

#include "app/command_line.h"

namespace osprey::app {

int run_serve(const CommandLine& cl);
int run_config(const CommandLine& cl);
int run_version(const CommandLine& cl);
int run_tenants(const CommandLine& cl);
int run_keys(const CommandLine& cl);
int run_audit(const CommandLine& cl);

// Dispatches argv (without argv[0]) to a subcommand.
int run_cli(int argc, const char* const* argv);

// Prints "osprey: <message>" to stderr; returns the usage-error exit code (2).
int usage_failure(const std::string& message);

}  // namespace osprey::app
