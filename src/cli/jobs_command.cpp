#include "cli/jobs_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "core/json_parse.h"

namespace osprey::cli {
namespace {

using nlohmann::json;

using Context = ApiContext;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "osprey: %s\n%s", message.c_str(), jobs_usage());
  return 2;
}

void print_job_line(const json& job) {
  const json& c = job["counts"];
  std::printf("%-8s %-10s %-20s %7.1f%%  done %lld/%lld  dead %lld  %s\n",
              std::to_string(job.value("id", 0LL)).c_str(), job.value("workload", "").c_str(),
              job.value("state", "").c_str(), job.value("percent", 0.0), c.value("done", 0LL),
              c.value("total", 0LL), c.value("dead", 0LL), job.value("created_at", "").c_str());
}

void print_job(const json& job) {
  const json& c = job["counts"];
  std::printf("job %lld (%s): %s%s\n", job.value("id", 0LL), job.value("workload", "").c_str(),
              job.value("state", "").c_str(), job.value("paused", false) ? ", paused" : "");
  std::printf(
      "  %lld of %lld items processed (%.1f%%): done %lld, failed %lld, dead %lld, "
      "running %lld\n",
      c.value("done", 0LL) + c.value("dead", 0LL) + c.value("cancelled", 0LL),
      c.value("total", 0LL), job.value("percent", 0.0), c.value("done", 0LL),
      c.value("failed", 0LL), c.value("dead", 0LL), c.value("running", 0LL));
  if (job.contains("eta_seconds") && job["eta_seconds"].is_number()) {
    std::printf("  ETA %.0f s\n", job["eta_seconds"].get<double>());
  }
  std::printf("  cost $%.6f\n", job.value("cost_usd", 0.0));
  const std::string message = job.value("status_message", "");
  if (!message.empty()) std::printf("  %s\n", message.c_str());
}

int submit(const Context& c, const std::vector<std::string>& args) {
  json request;
  if (!args.empty()) {
    const auto text = read_input(args[0]);
    if (!text) return usage_error("cannot read " + args[0]);
    request = parse_json(*text);
    if (request.is_discarded()) return usage_error(args[0] + " is not JSON");
  } else {
    const std::string workload = flag(c, "workload");
    if (workload.empty()) return usage_error("jobs submit needs FILE or --workload");
    request["workload"] = workload;
    const std::string spec = flag(c, "spec", "{}");
    request["spec"] = parse_json(spec);
    if (request["spec"].is_discarded()) return usage_error("--spec is not JSON");
  }
  if (auto p = flag(c, "priority"); !p.empty()) request["priority"] = p;
  if (auto t = flag(c, "tag"); !t.empty()) {
    const auto eq = t.find('=');
    if (eq == std::string::npos) return usage_error("--tag takes key=value");
    request["tags"][t.substr(0, eq)] = t.substr(eq + 1);
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (auto k = flag(c, "idempotency-key"); !k.empty()) headers.emplace_back("idempotency-key", k);
  auto reply = call_api(c, "POST", "/v1/jobs", request.dump(), headers);
  if (!reply) return 1;
  if (c.json_out) return print_reply(c, reply->body, print_job);
  auto job = parse_json(reply->body);
  std::printf("%s job %lld (%lld items)\n", reply->status == 201 ? "submitted" : "existing",
              job.value("id", 0LL), job["counts"].value("total", 0LL));
  return 0;
}

int list(const Context& c) {
  std::string query;
  for (const char* name : {"state", "workload", "tag", "limit"}) {
    if (auto v = flag(c, name); !v.empty()) {
      append_query(query, name, v);
    }
  }
  auto reply = call_api(c, "GET", "/v1/jobs" + query);
  if (!reply) return 1;
  return print_reply(c, reply->body, [](const json& list) {
    for (const json& job : list["data"]) print_job_line(job);
  });
}

bool finished(const std::string& state) { return state != "queued" && state != "running"; }

int watch(const Context& c, const std::string& id) {
  const bool tty = ::isatty(STDOUT_FILENO) != 0 && !c.json_out;
  std::string last;
  for (;;) {
    auto reply = call_api(c, "GET", "/v1/jobs/" + id);
    if (!reply) return 1;
    auto job = parse_json(reply->body);
    if (job.is_discarded()) return 1;
    const json& counts = job["counts"];
    const std::string state = job.value("state", "");
    const long long settled =
        counts.value("done", 0LL) + counts.value("dead", 0LL) + counts.value("cancelled", 0LL);
    const long long eta = job["eta_seconds"].is_number() ? job["eta_seconds"].get<long long>() : -1;
    std::string line = progress_line(settled, counts.value("total", 0LL), job.value("percent", 0.0),
                                     eta, state, 30);
    if (c.json_out) {
      if (reply->body != last) std::printf("%s\n", reply->body.c_str());
      last = reply->body;
    } else if (tty) {
      std::printf("\r%s\033[K", line.c_str());
    } else if (line != last) {
      std::printf("%s\n", line.c_str());
      last = line;
    }
    std::fflush(stdout);
    if (finished(state)) {
      if (tty) std::printf("\n");
      return state == "succeeded" ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

std::string progress_line(long long done, long long total, double percent, long long eta_seconds,
                          const std::string& state, int width) {
  const int filled =
      total <= 0 ? width : static_cast<int>(static_cast<double>(width) * done / total);
  std::string bar(static_cast<std::size_t>(std::clamp(filled, 0, width)), '#');
  bar.resize(static_cast<std::size_t>(width), '.');
  char buf[256];
  std::snprintf(buf, sizeof buf, "[%s] %lld/%lld %5.1f%%", bar.c_str(), done, total, percent);
  std::string line = buf;
  if (eta_seconds >= 0) line += "  ETA " + std::to_string(eta_seconds) + "s";
  line += "  (" + state + ")";
  return line;
}

const char* jobs_usage() {
  return R"(Usage: osprey jobs <command> [flags]
  submit FILE|-                 submit a job request ({"workload","spec",...}) from a file or stdin
  submit --workload W --spec JSON [--priority high|normal|low] [--tag k=v] [--idempotency-key K]
  list [--state S] [--workload W] [--tag k=v] [--limit N]
  status ID                     state, counts, percent, ETA, cost
  watch ID                      progress until the job finishes (exit 0 if it succeeded)
  cancel ID
  results ID                    the results file (JSON lines)
  redrive ID                    re-run the job's dead letters
Flags: --url URL (OSPREY_URL, default http://127.0.0.1:8080), --key KEY (OSPREY_API_KEY),
       --json (raw API JSON)
)";
}

int run_jobs(const JobsInvocation& inv) {
  if (inv.words.size() < 2) return usage_error("jobs needs a command");
  const Context c = api_context(inv.options, inv.env);
  static const char* kKnown[] = {"json",  "url",      "key", "workload",
                                 "spec",  "priority", "tag", "idempotency-key",
                                 "state", "limit"};
  for (const auto& [name, value] : inv.options) {
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return name == k; })) {
      return usage_error("unknown flag --" + name);
    }
  }
  const std::string& cmd = inv.words[1];
  if (cmd == "help") {
    std::fputs(jobs_usage(), stdout);
    return 0;
  }
  std::vector<std::string> args(inv.words.begin() + 2, inv.words.end());
  if (cmd == "submit") return submit(c, args);
  if (cmd == "list") return list(c);
  if (args.size() != 1) return usage_error("jobs " + cmd + " needs a job ID");
  const std::string& id = args[0];
  if (cmd == "status") {
    auto reply = call_api(c, "GET", "/v1/jobs/" + url_encode(id));
    return reply ? print_reply(c, reply->body, print_job) : 1;
  }
  if (cmd == "watch") return watch(c, url_encode(id));
  if (cmd == "cancel") {
    auto reply = call_api(c, "POST", "/v1/jobs/" + url_encode(id) + "/cancel");
    return reply ? print_reply(c, reply->body, print_job) : 1;
  }
  if (cmd == "redrive") {
    auto reply = call_api(c, "POST", "/v1/jobs/" + url_encode(id) + "/redrive");
    if (!reply) return 1;
    return print_reply(c, reply->body, [](const json& r) {
      std::printf("redrove %lld dead item(s)\n", r.value("redriven", 0LL));
      print_job(r["job"]);
    });
  }
  if (cmd == "results") {
    auto reply = call_api(c, "GET", "/v1/jobs/" + url_encode(id) + "/results");
    if (!reply) return 1;
    std::fwrite(reply->body.data(), 1, reply->body.size(), stdout);
    return 0;
  }
  return usage_error("unknown jobs command \"" + cmd + "\"");
}

}  // namespace osprey::cli
