#include "experiments/experiments_config.h"

#include <cstdint>

namespace osprey::experiments {
namespace {

Error config_error(const std::string& key, const std::string& message) {
  return make_error(ErrorCode::kConfigInvalid, "config: experiments." + key + ": " + message);
}

Status read_int(const nlohmann::json& node, const char* key, std::int64_t min, std::int64_t max,
                std::int64_t& out) {
  auto it = node.find(key);
  if (it == node.end() || it->is_null()) return {};
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
    return config_error(
        key, "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  out = it->get<std::int64_t>();
  return {};
}

}  // namespace

Result<ExperimentsConfig> parse_experiments_config(const nlohmann::json& sections,
                                                   const std::string& data_dir) {
  ExperimentsConfig c;
  c.library_dir = data_dir + "/mazes";
  auto it = sections.find("experiments");
  if (it == sections.end() || it->is_null()) return c;
  const nlohmann::json& node = *it;
  if (!node.is_object()) {
    return make_error(ErrorCode::kConfigInvalid, "config: experiments: must be a mapping");
  }
  for (const auto& [key, value] : node.items()) {
    if (key != "library_dir" && key != "action_batch" && key != "max_per_request" &&
        key != "events_poll_ms") {
      return config_error(key, "unknown key");
    }
  }
  if (auto dir = node.find("library_dir"); dir != node.end() && !dir->is_null()) {
    if (!dir->is_string() || dir->get<std::string>().empty()) {
      return config_error("library_dir", "must be a non-empty path");
    }
    c.library_dir = dir->get<std::string>();
  }
  std::int64_t batch = c.action_batch, per_request = static_cast<std::int64_t>(c.max_per_request);
  std::int64_t poll = c.events_poll.count();
  if (Status st = read_int(node, "action_batch", 1, 100000, batch); !st.ok()) return st.error();
  if (Status st = read_int(node, "max_per_request", 1, 100000, per_request); !st.ok()) {
    return st.error();
  }
  if (Status st = read_int(node, "events_poll_ms", 10, 10000, poll); !st.ok()) return st.error();
  c.action_batch = static_cast<int>(batch);
  c.max_per_request = static_cast<std::size_t>(per_request);
  c.events_poll = std::chrono::milliseconds(poll);
  return c;
}

}  // namespace osprey::experiments
