#pragma once
// `osprey jobs submit|list|status|watch|cancel|results|redrive`: the jobs API from a shell.
// Talks to --url (or OSPREY_URL, default http://127.0.0.1:8080) with --key (or OSPREY_API_KEY).
// Human output by default, --json for scripts; `watch` draws a progress bar on a terminal and
// prints plain lines otherwise. Exit codes: 0 ok, 1 the server refused or the job failed,
// 2 usage error.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace osprey::cli {

struct JobsInvocation {
  std::vector<std::string> words;                            // {"jobs", "<subcommand>", args...}
  std::vector<std::pair<std::string, std::string>> options;  // --name value
  std::map<std::string, std::string> env;
};

int run_jobs(const JobsInvocation& invocation);

// Usage text of `osprey jobs`.
const char* jobs_usage();

// The progress line `watch` draws: "[#####.....]  752/1000  75.2%  ETA 12s  (running)".
std::string progress_line(long long done, long long total, double percent, long long eta_seconds,
                          const std::string& state, int width);

}  // namespace osprey::cli
