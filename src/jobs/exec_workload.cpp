#include "jobs/exec_workload.h"

#include "core/json_parse.h"
#include "jobs/subprocess.h"

namespace osprey::jobs {
namespace {

std::chrono::milliseconds spec_timeout(const nlohmann::json& spec, const ExecRunner& r) {
  auto it = spec.find("timeout_ms");
  if (it == spec.end() || !it->is_number_integer()) return r.timeout;
  return std::min(r.timeout, std::chrono::milliseconds(it->get<std::int64_t>()));
}

std::string describe(const SubprocessResult& p) {
  std::string what = p.term_signal != 0 ? "killed by signal " + std::to_string(p.term_signal)
                                        : "exit code " + std::to_string(p.exit_code);
  std::string tail = p.stderr_tail.size() > 2000 ? p.stderr_tail.substr(p.stderr_tail.size() - 2000)
                                                 : p.stderr_tail;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  return tail.empty() ? what : what + ": " + tail;
}

}  // namespace

Result<std::map<std::string, ExecRunner>> parse_exec_runners(const nlohmann::json& section) {
  std::map<std::string, ExecRunner> out;
  if (section.is_null()) return out;
  const std::string base = "workloads.exec";
  if (!section.is_object()) return config_error(base, "must be a mapping");
  for (const auto& [key, value] : section.items()) {
    if (key != "runners") return config_error(base + "." + key, "unknown key");
  }
  auto runners = section.find("runners");
  if (runners == section.end() || runners->is_null()) return out;
  if (!runners->is_object()) return config_error(base + ".runners", "must be a mapping");
  for (const auto& [name, node] : runners->items()) {
    const std::string path = base + ".runners." + name;
    if (!node.is_object()) return config_error(path, "must be a mapping");
    ExecRunner r;
    for (const auto& [key, value] : node.items()) {
      const std::string kp = path + "." + key;
      if (key == "command") {
        if (!value.is_array() || value.empty()) {
          return config_error(kp, "must be a non-empty list of strings");
        }
        for (const auto& arg : value) {
          if (!arg.is_string()) return config_error(kp, "must be a non-empty list of strings");
          r.command.push_back(arg.get<std::string>());
        }
      } else if (key == "env") {
        if (!value.is_object()) return config_error(kp, "must be a mapping of strings");
        for (const auto& [k, v] : value.items()) {
          if (!v.is_string()) return config_error(kp + "." + k, "must be a string");
          r.env[k] = v.get<std::string>();
        }
      } else if (key == "timeout_ms") {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 1) {
          return config_error(kp, "must be an integer >= 1");
        }
        r.timeout = std::chrono::milliseconds(value.get<std::int64_t>());
      } else if (key == "resource") {
        if (!value.is_string()) return config_error(kp, "must be a string");
        r.resource = value.get<std::string>();
      } else {
        return config_error(kp, "unknown key");
      }
    }
    if (r.command.empty()) return config_error(path + ".command", "is required");
    out.emplace(name, std::move(r));
  }
  return out;
}

const ExecRunner* ExecWorkload::runner(const nlohmann::json& spec) const {
  auto it = spec.find("runner");
  if (it == spec.end() || !it->is_string()) return nullptr;
  auto r = runners_.find(it->get<std::string>());
  return r == runners_.end() ? nullptr : &r->second;
}

Status ExecWorkload::validate(const nlohmann::json& spec) const {
  if (!spec.is_object()) return invalid_request("spec: must be an object");
  auto name = spec.find("runner");
  if (name == spec.end() || !name->is_string())
    return invalid_request("spec.runner: must be a string");
  if (runner(spec) == nullptr) {
    return invalid_request("spec.runner: no runner \"" + name->get<std::string>() +
                           "\" is configured (workloads.exec.runners)");
  }
  if (auto t = spec.find("timeout_ms");
      t != spec.end() && (!t->is_number_integer() || t->get<std::int64_t>() < 1)) {
    return invalid_request("spec.timeout_ms: must be an integer >= 1");
  }
  for (const auto& [key, value] : spec.items()) {
    if (key != "runner" && key != "items" && key != "timeout_ms") {
      return invalid_request("spec." + key + ": unknown field");
    }
  }
  auto items = explicit_items(spec, max_items_);
  if (!items) return items.error();
  return {};
}

Result<std::vector<PlannedItem>> ExecWorkload::plan(const nlohmann::json& spec) const {
  return explicit_items(spec, max_items_);
}

std::string ExecWorkload::resource_key(const nlohmann::json& spec) const {
  const ExecRunner* r = runner(spec);
  return r == nullptr ? std::string() : r->resource;
}

ItemResult ExecWorkload::run(const WorkItem& item, const RunContext& ctx) const {
  const ExecRunner* r = runner(*item.spec);
  if (r == nullptr) {
    return ItemResult::failure(Outcome::kPermanent, "unknown_runner",
                               "the job's runner is no longer configured");
  }
  SubprocessOptions options;
  options.argv = r->command;
  for (const auto& [k, v] : r->env) options.env.push_back(k + "=" + v);
  options.stdin_data = nlohmann::json{
      {"job_id", item.job_id},
      {"key", item.key},
      {"attempt", item.attempt},
      {"input",
       item.input}}.dump();
  options.stdin_data.push_back('\n');
  options.timeout = spec_timeout(*item.spec, *r);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      ctx.deadline - std::chrono::steady_clock::now());
  if (left < options.timeout) options.timeout = std::max(left, std::chrono::milliseconds(1));
  options.stop = ctx.stopping;

  Result<SubprocessResult> ran = run_subprocess(options);
  if (!ran) return ItemResult::failure(Outcome::kRetryable, "spawn_failed", ran.error().message);
  const SubprocessResult& p = ran.value();
  if (p.timed_out) {
    return ItemResult::failure(Outcome::kRetryable, "timeout",
                               "no result within " + std::to_string(options.timeout.count()) +
                                   " ms; process group killed");
  }
  if (p.stopped) {
    // Cut short by shutdown, not the item's fault: deferred without spending the attempt.
    ItemResult res = ItemResult::failure(Outcome::kRateLimited, "interrupted", "worker stopping");
    res.retry_after = std::chrono::milliseconds(0);
    return res;
  }
  if (p.stdout_overflow) {
    return ItemResult::failure(
        Outcome::kPermanent, "output_too_large",
        "stdout over " + std::to_string(options.max_stdout_bytes) + " bytes");
  }
  if (p.term_signal != 0) {
    return ItemResult::failure(Outcome::kRetryable, "signal_" + std::to_string(p.term_signal),
                               describe(p));
  }
  if (p.exit_code == kExitRateLimited) {
    ItemResult res = ItemResult::failure(Outcome::kRateLimited, "rate_limited", describe(p));
    auto hint = parse_json(p.stdout_data);
    if (hint.is_object() && hint.contains("retry_after_ms") &&
        hint["retry_after_ms"].is_number_integer()) {
      res.retry_after = std::chrono::milliseconds(hint["retry_after_ms"].get<std::int64_t>());
    }
    return res;
  }
  if (p.exit_code == kExitPermanent) {
    return ItemResult::failure(Outcome::kPermanent, "exit_65", describe(p));
  }
  if (p.exit_code != 0) {
    return ItemResult::failure(Outcome::kRetryable, "exit_" + std::to_string(p.exit_code),
                               describe(p));
  }
  auto output = parse_json(p.stdout_data);
  if (output.is_discarded()) {
    return ItemResult::failure(Outcome::kPermanent, "bad_output",
                               "exit code 0 but stdout is not one JSON value");
  }
  std::int64_t cost = 0;
  if (output.is_object() && output.contains("cost_micros") &&
      output["cost_micros"].is_number_integer()) {
    cost = output["cost_micros"].get<std::int64_t>();
  }
  return ItemResult::success(std::move(output), cost);
}

}  // namespace osprey::jobs
