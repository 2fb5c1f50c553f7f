#include "cli/review_command.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/file_upload.h"
#include "cli/jobs_command.h"
#include "core/json_parse.h"
#include "review/repository.h"
#include "review/review_plan.h"
#include "review/review_report.h"
#include "review/review_request.h"
#include "review/rule_set.h"

extern char** environ;

namespace osprey::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

int review_usage_error(const std::string& message) {
  std::fprintf(stderr, "osprey: %s\n%s", message.c_str(), review_usage());
  return 2;
}

bool positive_number(const std::string& text, unsigned long long& out) {
  char* end = nullptr;
  out = std::strtoull(text.c_str(), &end, 10);
  return !text.empty() && end == text.c_str() + text.size() && out > 0;
}

bool is_archive(const std::string& path) {
  return path.ends_with(".tar") || path.ends_with(".tar.gz") || path.ends_with(".tgz");
}

// A temporary directory removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "osprey-review-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Unpacks with the system tar (it refuses absolute and ".." members; links are never followed
// by the listing).
bool extract_archive(const std::string& archive, const std::string& dir) {
  std::vector<std::string> args = {
      "tar", "-xf", archive, "-C", dir, "--no-same-owner", "--no-same-permissions"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawnp(&pid, "tar", nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool batch_finished(const std::string& status) {
  return status == "completed" || status == "failed" || status == "expired" ||
         status == "cancelled";
}

// Polls the batch until it ends, drawing progress on stderr.
std::optional<json> wait_for_batch(const ApiContext& c, const std::string& id, int poll_ms) {
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  std::string last;
  for (;;) {
    auto reply = call_api(c, "GET", "/v1/batches/" + url_encode(id));
    if (!reply) return std::nullopt;
    json batch = parse_json(reply->body);
    if (!batch.is_object()) return std::nullopt;
    const std::string status = batch.value("status", "");
    const json counts = batch.value("request_counts", json::object());
    const long long total = counts.value("total", 0LL);
    const long long ended = counts.value("completed", 0LL) + counts.value("failed", 0LL);
    const double percent = total > 0 ? 100.0 * static_cast<double>(ended) / total : 0.0;
    const std::string line = progress_line(ended, total, percent, -1, status, 30);
    if (tty) {
      std::fprintf(stderr, "\r%s\033[K", line.c_str());
    } else if (line != last) {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    last = line;
    if (batch_finished(status)) {
      if (tty) std::fprintf(stderr, "\n");
      return batch;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
}

// Adds every JSON line of a downloaded output or error file, by custom_id.
bool collect_lines(const ApiContext& c, const json& file_id,
                   std::map<std::string, json>& by_custom_id) {
  if (!file_id.is_string() || file_id.get<std::string>().empty()) return true;
  auto reply =
      call_api(c, "GET", "/v1/files/" + url_encode(file_id.get<std::string>()) + "/content");
  if (!reply) return false;
  std::istringstream in(reply->body);
  std::string text;
  while (std::getline(in, text)) {
    json line = parse_json(text);
    if (!line.is_object() || !line.contains("custom_id") || !line["custom_id"].is_string()) {
      continue;
    }
    std::string id = line["custom_id"].get<std::string>();  // before `line` is moved
    by_custom_id[std::move(id)] = std::move(line);
  }
  return true;
}

}  // namespace

const char* review_usage() {
  return R"(Usage: osprey review REPO --rules FILE --model MODEL [flags]
  REPO                      a directory, or a .tar / .tar.gz / .tgz archive
  --rules FILE              rules in code-expert's format (languages, categories, rules)
  --model MODEL             the model every request goes to
  --mode sync|native|auto   how the batch runs (default sync; see docs/batch.md)
  --out DIR                 where findings.json and report.md go (default ./review-out)
  --max-file-bytes N        larger files are reported as errors, not sent (default 262144)
  --rules-per-request N     rules checked in one request (default 10)
  --max-tokens N            answer limit per request (default 4096)
  --poll-ms N               how often to check the batch (default 1000)
Flags: --url URL (OSPREY_URL, default http://127.0.0.1:8080), --key KEY (OSPREY_API_KEY),
       --json (print findings.json's summary)
)";
}

int run_review(const ReviewInvocation& inv) {
  if (inv.words.size() == 2 && inv.words[1] == "help") {
    std::fputs(review_usage(), stdout);
    return 0;
  }
  if (inv.words.size() != 2)
    return review_usage_error("review needs one repository (directory or archive)");
  static const char* kKnown[] = {"json",
                                 "url",
                                 "key",
                                 "rules",
                                 "model",
                                 "mode",
                                 "out",
                                 "max-file-bytes",
                                 "rules-per-request",
                                 "max-tokens",
                                 "poll-ms"};
  for (const auto& [name, value] : inv.options) {
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return name == k; })) {
      return review_usage_error("unknown flag --" + name);
    }
  }
  const ApiContext c = api_context(inv.options, inv.env);
  const std::string repo_arg = inv.words[1];
  const std::string rules_path = flag(c, "rules");
  const std::string model = flag(c, "model");
  const std::string mode = flag(c, "mode", "sync");
  const std::string out_dir = flag(c, "out", "review-out");
  if (rules_path.empty()) return review_usage_error("review needs --rules FILE");
  if (model.empty()) return review_usage_error("review needs --model MODEL");
  if (mode != "sync" && mode != "native" && mode != "auto") {
    return review_usage_error("--mode must be sync, native or auto (got \"" + mode + "\")");
  }
  // Numeric flags: absent keeps the default; anything but a positive number is a usage error.
  std::string bad_number;
  auto number = [&](const char* name, unsigned long long fallback) {
    const std::string text = flag(c, name);
    unsigned long long n = fallback;
    if (!text.empty() && !positive_number(text, n)) bad_number = name;
    return n;
  };
  review::PlanOptions plan_options;
  plan_options.max_file_bytes = number("max-file-bytes", plan_options.max_file_bytes);
  plan_options.max_rules_per_request =
      number("rules-per-request", plan_options.max_rules_per_request);
  review::RequestOptions request_options{.model = model};
  request_options.max_tokens = static_cast<int>(std::min(number("max-tokens", 4096), 1'000'000ULL));
  const int poll_ms = static_cast<int>(std::min(number("poll-ms", 1000), 60'000ULL));
  if (!bad_number.empty())
    return review_usage_error("--" + bad_number + " needs a positive number");

  const auto rules_text = read_text_file(rules_path);
  if (!rules_text) return review_usage_error("cannot read " + rules_path);
  auto rules = review::parse_rule_set_text(*rules_text);
  if (!rules) return review_usage_error(rules_path + ": " + rules.error().message);

  ScratchDir scratch;
  std::string root = repo_arg;
  if (is_archive(repo_arg) && fs::is_regular_file(repo_arg)) {
    if (scratch.path().empty() || !extract_archive(repo_arg, scratch.path())) {
      return review_usage_error("cannot unpack " + repo_arg + " with tar");
    }
    root = scratch.path();
  }
  auto repo = review::list_repository(root);
  if (!repo) return review_usage_error(repo.error().message);
  const review::ReviewPlan plan = review::plan_review(*rules, repo->files, plan_options);
  const review::FileReader read = [&root](std::string_view path) {
    return review::read_repository_file(root, path);
  };

  std::string jsonl;
  std::vector<review::ReviewIssue> unsent;
  for (const review::ReviewTask& task : plan.tasks) {
    auto line = review::build_request_line(task, *rules, read, request_options);
    if (!line) {
      unsent.push_back(line.error());
      continue;
    }
    jsonl += line->dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  }
  std::fprintf(stderr, "osprey: %zu files, %zu to review: %zu requests (%zu files skipped)\n",
               plan.files_in_repository, plan.files_to_review, plan.tasks.size() - unsent.size(),
               plan.issues.size() + unsent.size());

  std::map<std::string, json> outputs;
  json meta = {
      {"model", model}, {"mode", mode}, {"repository", repo_arg}, {"rules_file", rules_path}};
  bool completed = true;
  if (!jsonl.empty()) {
    auto file_id = upload_file(c, "review-requests.jsonl", jsonl, "batch");
    if (!file_id) return 1;
    const json create = {{"input_file_id", *file_id},
                         {"endpoint", "/v1/chat/completions"},
                         {"completion_window", "24h"},
                         {"mode", mode},
                         {"metadata", {{"osprey_workload", "review"}}}};
    auto created = call_api(c, "POST", "/v1/batches", create.dump());
    if (!created) return 1;
    const json batch = parse_json(created->body);
    if (!batch.is_object() || !batch.contains("id") || !batch["id"].is_string()) {
      std::fprintf(stderr, "osprey: POST /v1/batches answered without a batch id\n");
      return 1;
    }
    const std::string batch_id = batch["id"].get<std::string>();
    std::fprintf(stderr, "osprey: batch %s (%s mode)\n", batch_id.c_str(), mode.c_str());
    auto done = wait_for_batch(c, batch_id, poll_ms);
    if (!done) return 1;
    const std::string status = done->value("status", "");
    meta["batch_id"] = batch_id;
    meta["batch_status"] = status;
    completed = status == "completed";
    if (!completed) {
      std::fprintf(stderr, "osprey: batch %s ended %s\n", batch_id.c_str(), status.c_str());
      if (auto errors = done->find("errors"); errors != done->end() && errors->is_object()) {
        for (const json& e : errors->value("data", json::array())) {
          std::fprintf(stderr, "osprey:   %s\n", e.value("message", "").c_str());
        }
      }
    }
    if (!collect_lines(c, done->value("output_file_id", json()), outputs) ||
        !collect_lines(c, done->value("error_file_id", json()), outputs)) {
      return 1;
    }
  }

  review::ReviewReport report = review::assemble_report(plan, unsent, outputs, read);
  report.meta = std::move(meta);
  if (Status st = review::write_review_report(out_dir, report, *rules); !st.ok()) {
    std::fprintf(stderr, "osprey: %s\n", st.error().message.c_str());
    return 1;
  }
  const json findings = review::findings_json(report);
  if (c.json_out) {
    std::printf("%s\n", findings["summary"].dump(2).c_str());
  } else {
    std::printf("%zu findings, %zu errors in %zu requests; wrote %s/%s and %s/%s\n",
                report.findings.size(), report.issues.size(), report.verdicts.size(),
                out_dir.c_str(), std::string(review::kFindingsFile).c_str(), out_dir.c_str(),
                std::string(review::kReportFile).c_str());
  }
  return completed ? 0 : 1;
}

}  // namespace osprey::cli
