#include "cli/maze_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/api_client.h"
#include "core/json_parse.h"

namespace osprey::cli {
namespace {

using nlohmann::json;

int maze_usage_error(const std::string& message) {
  std::fprintf(stderr, "osprey: %s\n%s", message.c_str(), maze_usage());
  return 2;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "0.2" → 0.2, "true" → true, "llama3" → "llama3".
json scalar(const std::string& text) {
  json value = parse_json(text);
  return value.is_discarded() || value.is_object() || value.is_array() ? json(text) : value;
}

bool finished(const json& e) {
  const std::string state = e.value("state", "");
  return state != "queued" && state != "running";
}

void print_experiment(const json& e) {
  std::printf("experiment %lld: %s%s%s\n", e.value("id", 0LL), e.value("state", "").c_str(),
              e.value("outcome", "").empty() ? "" : " / ", e.value("outcome", "").c_str());
  std::printf("  model %s on %s from (%d,%d)%s%s\n", e.value("model", "").c_str(),
              e["maze"].value("ref", "").c_str(), e["start"].value("x", 0),
              e["start"].value("y", 0), e.value("comment", "").empty() ? "" : "  # ",
              e.value("comment", "").c_str());
  if (!e.value("error", "").empty()) std::printf("  error: %s\n", e.value("error", "").c_str());
  const json& m = e["metrics"];
  if (!m.is_object()) return;
  auto num = [&](const char* key) {
    return m.contains(key) && m[key].is_number() ? m[key].dump() : std::string("-");
  };
  std::printf("  success %s  turns %s  moves %s  optimal %s  wall hits %s  loops %s\n",
              m.value("success", false) ? "yes" : "no", num("turns").c_str(),
              num("successful_moves").c_str(), num("optimal_moves").c_str(),
              num("wall_collisions").c_str(), num("loop_cells").c_str());
  std::printf("  duration %s ms  invalid %s  no_tool_call %s  tokens %s/%s  cost $%s\n",
              num("duration_ms").c_str(), num("invalid_tool_calls").c_str(),
              num("no_tool_calls").c_str(), num("input_tokens").c_str(),
              num("output_tokens").c_str(), num("cost_usd").c_str());
}

void print_compare(const json& table) {
  for (const json& row : table["data"]) {
    std::printf("%-40s n=%-4lld success %5.1f%%  moves %8.1f  vs optimal %s  turns %7.1f\n",
                row["group"].dump().c_str(), row.value("experiments", 0LL),
                100.0 * row.value("success_rate", 0.0), row.value("mean_moves", 0.0),
                row["moves_vs_optimal"].is_number()
                    ? std::to_string(row["moves_vs_optimal"].get<double>()).c_str()
                    : "-",
                row.value("mean_turns", 0.0));
  }
}

// Polls until every experiment has finished; prints each state change to stderr.
std::optional<std::vector<json>> wait_for(const ApiContext& c, const std::vector<long long>& ids) {
  std::vector<json> last(ids.size());
  for (;;) {
    bool all = true;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!last[i].is_null() && finished(last[i])) continue;
      auto reply =
          call_api(c, "GET", "/v1/experiments/" + std::to_string(ids[i]) + "?actions=false");
      if (!reply) return std::nullopt;
      json e = parse_json(reply->body);
      if (!e.is_object()) return std::nullopt;
      if (last[i].is_null() || e.value("state", "") != last[i].value("state", "")) {
        std::fprintf(stderr, "experiment %lld: %s\n", ids[i], e.value("state", "").c_str());
      }
      last[i] = e;
      if (!finished(e)) all = false;
    }
    if (all) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

int submit_and_wait(const ApiContext& c, const json& request) {
  auto reply = call_api(c, "POST", "/v1/experiments", request.dump());
  if (!reply) return 1;
  json created = parse_json(reply->body);
  std::vector<long long> ids;
  for (const json& e : created["data"]) ids.push_back(e.value("id", 0LL));
  std::fprintf(stderr, "created %zu experiment(s)\n", ids.size());
  if (flag(c, "wait") == "false") {
    if (c.json_out) {
      std::printf("%s\n", reply->body.c_str());
    } else {
      for (long long id : ids) std::printf("%lld\n", id);
    }
    return 0;
  }
  auto done = wait_for(c, ids);
  if (!done) return 1;
  bool ok = true;
  for (const json& e : *done) {
    if (e.value("state", "") != "completed") ok = false;
    if (c.json_out) {
      std::printf("%s\n", e.dump().c_str());
    } else {
      print_experiment(e);
    }
  }
  return ok ? 0 : 1;
}

std::string query_from_flags(const ApiContext& c, std::initializer_list<const char*> names) {
  std::string query;
  for (const char* name : names) {
    if (auto v = flag(c, name); !v.empty()) {
      std::string key = name;
      std::replace(key.begin(), key.end(), '-', '_');
      append_query(query, key, v);
    }
  }
  for (const auto& [name, value] : c.flags) {
    if (name.starts_with("model_config.")) append_query(query, name, value);
  }
  return query;
}

}  // namespace

Result<json> maze_argument(const std::string& text) {
  if (text.starts_with("gen:")) {
    std::string kind = text.substr(4);
    json spec = json::object();
    const std::size_t colon = kind.find(':');
    if (colon != std::string::npos) {
      const std::string seed = kind.substr(colon + 1);
      kind.resize(colon);
      json s = parse_json(seed);
      if (!s.is_number_integer()) {
        return make_error(ErrorCode::kInvalidRequest, "--maze gen:KIND:SEED needs an integer seed");
      }
      spec["seed"] = s;
    }
    spec["kind"] = kind;
    return json{{"generator", spec}};
  }
  if (text.size() > 5 && text.ends_with(".json")) {
    std::ifstream in(text);
    if (!in) return make_error(ErrorCode::kInvalidRequest, "cannot read " + text);
    std::stringstream content;
    content << in.rdbuf();
    json maze = parse_json(content.str());
    if (!maze.is_object()) {
      return make_error(ErrorCode::kInvalidRequest, text + " is not a JSON object");
    }
    return maze;
  }
  return json(text);
}

Result<json> experiment_request_from_flags(const std::map<std::string, std::string>& flags,
                                           bool sweep) {
  auto get = [&](const char* name) {
    auto it = flags.find(name);
    return it == flags.end() ? std::string() : it->second;
  };
  json base = json::object();
  if (auto extra = get("config"); !extra.empty()) {
    base = parse_json(extra);
    if (!base.is_object()) {
      return make_error(ErrorCode::kInvalidRequest, "--config must be a JSON object");
    }
  }
  // Flags named like model_config keys (dashes for underscores).
  static const char* kConfigFlags[] = {
      "temperature",     "top-p",     "num-ctx",      "num-predict",          "vision-range",
      "recall-interval", "max-moves", "max-duration", "max-actions-per-turn", "max-turns",
      "prompt-version",  "seed",      "goal-rule"};
  for (const char* name : kConfigFlags) {
    if (auto v = get(name); !v.empty()) {
      std::string key = name;
      std::replace(key.begin(), key.end(), '-', '_');
      base[key] = scalar(v);
    }
  }
  json request = json::object();
  const std::string mazes = get("maze");
  const std::string models = get("model");
  if (mazes.empty()) return make_error(ErrorCode::kInvalidRequest, "--maze is required");
  if (models.empty() && !base.contains("model")) {
    return make_error(ErrorCode::kInvalidRequest, "--model is required");
  }
  if (!sweep) {
    auto maze = maze_argument(mazes);
    if (!maze) return maze.error();
    request["maze"] = maze.value();
    if (!models.empty()) base["model"] = models;
    request["model_config"] = base;
  } else {
    json maze_list = json::array();
    for (const std::string& m : split_list(mazes)) {
      auto maze = maze_argument(m);
      if (!maze) return maze.error();
      maze_list.push_back(maze.value());
    }
    std::vector<std::string> model_list = split_list(models);
    if (model_list.empty()) model_list.push_back(base.value("model", ""));
    std::vector<std::string> temperatures = split_list(get("temperatures"));
    json configs = json::array();
    for (const std::string& model : model_list) {
      json config = base;
      config["model"] = model;
      if (temperatures.empty()) {
        configs.push_back(config);
        continue;
      }
      for (const std::string& t : temperatures) {
        config["temperature"] = scalar(t);
        configs.push_back(config);
      }
    }
    request["mazes"] = maze_list;
    request["model_configs"] = configs;
    if (auto r = get("repetitions"); !r.empty()) request["repetitions"] = scalar(r);
  }
  if (auto v = get("comment"); !v.empty()) request["comment"] = v;
  if (auto v = get("agent"); !v.empty()) request["agent"] = v;
  if (auto v = get("priority"); !v.empty()) request["priority"] = v;
  if (auto v = get("max-attempts"); !v.empty()) request["max_attempts"] = scalar(v);
  if (auto v = get("turn-delay-ms"); !v.empty()) request["turn_delay_ms"] = scalar(v);
  if (auto v = get("start"); !v.empty()) {
    const std::size_t comma = v.find(',');
    json x = parse_json(v.substr(0, comma));
    json y = comma == std::string::npos ? json() : parse_json(v.substr(comma + 1));
    if (!x.is_number_integer() || !y.is_number_integer()) {
      return make_error(ErrorCode::kInvalidRequest, "--start takes X,Y");
    }
    request["start"] = {{"x", x}, {"y", y}};
  }
  return request;
}

const char* maze_usage() {
  return R"(Usage: osprey maze <command> [flags]
  run --maze M --model MODEL [options]   run one experiment; prints the outcome and metrics
  sweep --maze M1,M2 --model A,B [--temperatures 0.1,0.7] [--repetitions N] [options]
  sweep FILE|-                          a POST /v1/experiments body (sweep or single form)
  show ID                               one experiment: state, outcome, metrics
  list [--model M] [--state S] [--outcome O] [--comment TEXT] [--model_config.KEY V]
  compare [--group-by model,model_config.temperature] [list filters]
  cancel ID | replay ID
  mazes                                 the server's maze library
M: a library id (03_medium_maze), a FILE.json (sent inline) or gen:KIND[:SEED]
   (backtracker, open_field, rooms, spiral, scatter).
Options (model_config): --temperature --top-p --num-ctx --num-predict --vision-range
  --recall-interval --max-moves --max-duration SECONDS --max-actions-per-turn --max-turns
  --prompt-version --seed --goal-rule seen|reach --config JSON (more keys)
Other: --start X,Y --comment TEXT --agent NAME --priority P --max-attempts N
  --turn-delay-ms N --wait false (print the ids and return)
Flags: --url URL (OSPREY_URL, default http://127.0.0.1:8080), --key KEY (OSPREY_API_KEY),
       --json (raw API JSON)
)";
}

int run_maze(const MazeInvocation& inv) {
  if (inv.words.size() < 2) return maze_usage_error("maze needs a command");
  const ApiContext c = api_context(inv.options, inv.env);
  const std::string& cmd = inv.words[1];
  std::vector<std::string> args(inv.words.begin() + 2, inv.words.end());
  if (cmd == "help") {
    std::fputs(maze_usage(), stdout);
    return 0;
  }
  if (cmd == "run" || (cmd == "sweep" && args.empty())) {
    auto request = experiment_request_from_flags(c.flags, cmd == "sweep");
    if (!request) return maze_usage_error(request.error().message);
    return submit_and_wait(c, request.value());
  }
  if (cmd == "sweep") {
    const auto text = read_input(args[0]);
    if (!text) return maze_usage_error("cannot read " + args[0]);
    json request = parse_json(*text);
    if (!request.is_object()) return maze_usage_error(args[0] + " is not a JSON object");
    return submit_and_wait(c, request);
  }
  if (cmd == "list") {
    auto reply = call_api(
        c, "GET",
        "/v1/experiments" + query_from_flags(c, {"model", "state", "outcome", "comment", "limit"}));
    if (!reply) return 1;
    return print_reply(c, reply->body, [](const json& list) {
      for (const json& e : list.value("data", json::array())) {
        std::printf("%-8lld %-10s %-12s %-22s %-18s %s\n", e.value("id", 0LL),
                    e.value("state", "").c_str(), e.value("outcome", "").c_str(),
                    e.value("model", "").c_str(), e["maze"].value("ref", "").c_str(),
                    e.value("comment", "").c_str());
      }
    });
  }
  if (cmd == "compare") {
    std::string query = query_from_flags(c, {"group-by", "model", "state", "outcome", "comment"});
    auto reply = call_api(c, "GET", "/v1/experiments/compare" + query);
    if (!reply) return 1;
    return print_reply(c, reply->body, print_compare);
  }
  if (cmd == "mazes") {
    auto reply = call_api(c, "GET", "/v1/mazes");
    if (!reply) return 1;
    return print_reply(c, reply->body, [](const json& list) {
      for (const json& m : list.value("data", json::array())) {
        std::printf("%-24s %3dx%-3d %s\n", m.value("id", "").c_str(), m.value("width", 0),
                    m.value("height", 0), m.value("name", "").c_str());
      }
    });
  }
  if (args.size() != 1) return maze_usage_error("maze " + cmd + " needs an experiment ID");
  const std::string path = "/v1/experiments/" + url_encode(args[0]);
  std::optional<ApiReply> reply;
  if (cmd == "show") {
    reply = call_api(c, "GET", path);
  } else if (cmd == "cancel") {
    reply = call_api(c, "POST", path + "/cancel");
  } else if (cmd == "replay") {
    reply = call_api(c, "POST", path + "/replay");
  } else {
    return maze_usage_error("unknown maze command \"" + cmd + "\"");
  }
  if (!reply) return 1;
  return print_reply(c, reply->body, [](const json& e) {
    print_experiment(e);
    if (e.contains("actions")) std::printf("  %zu action(s) recorded\n", e["actions"].size());
  });
}

}  // namespace osprey::cli
