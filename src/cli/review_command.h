#pragma once
// `osprey review REPO --rules FILE --model M`: rule-based code review as a batch job. The
// planner runs here, next to the repository: it matches the rules to the files (review/), builds
// one chat request per (file, rule group), uploads them as one JSONL file (POST /v1/files) and
// submits a batch (POST /v1/batches, mode sync|native|auto), so the server needs no access to
// the repository and the review runs in every batch mode. It waits with progress, downloads the
// output and error files and writes findings.json and report.md into --out. REPO is a directory
// or a .tar / .tar.gz / .tgz archive (unpacked with the system `tar` into a temporary
// directory). Exit codes: 0 the batch completed (per-file errors are in the report), 1 the
// server refused or the batch did not complete, 2 usage error.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace osprey::cli {

struct ReviewInvocation {
  std::vector<std::string> words;                            // {"review", REPO}
  std::vector<std::pair<std::string, std::string>> options;  // --name value
  std::map<std::string, std::string> env;
};

int run_review(const ReviewInvocation& invocation);

const char* review_usage();

}  // namespace osprey::cli
