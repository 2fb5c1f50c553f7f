#pragma once
// Opening the store from a CLI subcommand: the same configuration sources as `osprey serve`
// (--config, --set, OSPREY_*), migrated (idempotent), usable while a server runs (SQLite WAL,
// or PostgreSQL).
#include <memory>
#include <string>

#include "app/command_line.h"
#include "core/result.h"
#include "store/store.h"

namespace osprey::app {

Result<std::unique_ptr<store::Store>> open_cli_store(const CommandLine& cl);

// The value of `--name` if given.
const std::string* cli_option(const CommandLine& cl, std::string_view name);
// "unknown flag --x" for the first flag not in `allowed`, or empty.
std::string unknown_cli_option(const CommandLine& cl,
                               std::initializer_list<std::string_view> allowed);

}  // namespace osprey::app
