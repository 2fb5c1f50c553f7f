#pragma once
// `osprey maze run|sweep|show|list|compare|cancel|replay|mazes`: maze experiments (docs/maze.md)
// from a shell, through a running server's /v1/experiments API. Same --url/--key/--json as
// `osprey jobs`. Exit codes: 0 ok (run/sweep: every experiment completed), 1 the server refused
// or an experiment failed or was cancelled, 2 usage error.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::cli {

struct MazeInvocation {
  std::vector<std::string> words;                            // {"maze", "<subcommand>", args...}
  std::vector<std::pair<std::string, std::string>> options;  // --name value
  std::map<std::string, std::string> env;
};

int run_maze(const MazeInvocation& invocation);

const char* maze_usage();

// The "maze" field of a request from --maze: a file ending in .json is sent inline,
// "gen:KIND[:SEED]" is a generator spec, anything else a library id.
Result<nlohmann::json> maze_argument(const std::string& text);

// The POST /v1/experiments body of `maze run` / `maze sweep` from its flags.
Result<nlohmann::json> experiment_request_from_flags(
    const std::map<std::string, std::string>& flags, bool sweep);

}  // namespace osprey::cli
