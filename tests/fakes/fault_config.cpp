#include "fakes/fault_config.h"

#include <string>

namespace osprey::fakes {

namespace {

Status bad(const std::string& key, const std::string& why) {
  return make_error(ErrorCode::kInvalidRequest, "fault key '" + key + "': " + why);
}

Status read_int(const nlohmann::json& v, const std::string& key, int min, int max, int& out) {
  if (!v.is_number_integer()) return bad(key, "expected an integer");
  const auto n = v.get<std::int64_t>();
  if (n < min || n > max) {
    return bad(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  out = static_cast<int>(n);
  return {};
}

Status read_bool(const nlohmann::json& v, const std::string& key, bool& out) {
  if (!v.is_boolean()) return bad(key, "expected true or false");
  out = v.get<bool>();
  return {};
}

}  // namespace

Status apply_fault_patch(const nlohmann::json& patch, FaultConfig& config) {
  if (!patch.is_object()) return make_error(ErrorCode::kInvalidRequest, "faults must be an object");
  FaultConfig next = config;
  if (auto it = patch.find("reset"); it != patch.end()) {
    bool reset = false;
    if (Status s = read_bool(*it, "reset", reset); !s) return s;
    if (reset) next = FaultConfig{};
  }
  constexpr int kMaxMs = 3'600'000;
  for (const auto& [key, v] : patch.items()) {
    Status s;
    if (key == "reset") {
      continue;
    } else if (key == "fail_rate") {
      if (!v.is_number()) return bad(key, "expected a number");
      const double r = v.get<double>();
      if (!(r >= 0.0 && r <= 1.0)) return bad(key, "must be in [0, 1]");
      next.fail_rate = r;
    } else if (key == "status") {
      s = read_int(v, key, 0, 599, next.status);
      if (s && next.status != 0 && next.status < 400) s = bad(key, "must be 0 or an error status");
    } else if (key == "retry_after_s") {
      s = read_int(v, key, -1, 86'400, next.retry_after_s);
    } else if (key == "latency_ms") {
      s = read_int(v, key, 0, kMaxMs, next.latency_ms);
    } else if (key == "chunk_delay_ms") {
      s = read_int(v, key, 0, kMaxMs, next.chunk_delay_ms);
    } else if (key == "hang") {
      s = read_bool(v, key, next.hang);
    } else if (key == "hang_cap_ms") {
      s = read_int(v, key, 0, kMaxMs, next.hang_cap_ms);
    } else if (key == "down") {
      s = read_bool(v, key, next.down);
    } else if (key == "cut_after_chunks") {
      s = read_int(v, key, -1, 1'000'000, next.cut_after_chunks);
    } else if (key == "stream_error_after_chunks") {
      s = read_int(v, key, -1, 1'000'000, next.stream_error_after_chunks);
    } else if (key == "malformed") {
      s = read_bool(v, key, next.malformed);
    } else if (key == "probe_fail") {
      s = read_bool(v, key, next.probe_fail);
    } else if (key == "ignore_tools") {
      s = read_bool(v, key, next.ignore_tools);
    } else {
      return bad(key, "unknown fault");
    }
    if (!s) return s;
  }
  config = next;
  return {};
}

nlohmann::json to_json(const FaultConfig& c) {
  return {{"fail_rate", c.fail_rate},
          {"status", c.status},
          {"retry_after_s", c.retry_after_s},
          {"latency_ms", c.latency_ms},
          {"chunk_delay_ms", c.chunk_delay_ms},
          {"hang", c.hang},
          {"hang_cap_ms", c.hang_cap_ms},
          {"down", c.down},
          {"cut_after_chunks", c.cut_after_chunks},
          {"stream_error_after_chunks", c.stream_error_after_chunks},
          {"malformed", c.malformed},
          {"probe_fail", c.probe_fail},
          {"ignore_tools", c.ignore_tools}};
}

}  // namespace osprey::fakes
