#include "maze/action_record.h"

namespace osprey::maze {

nlohmann::json action_json(const ActionRecord& a) {
  return {{"step_number", a.step_number},
          {"turn_number", a.turn_number},
          {"action_type", a.action_type},
          {"reasoning", a.reasoning},
          {"from", position_json(a.from)},
          {"to", position_json(a.to)},
          {"success", a.success},
          {"found_goal", a.found_goal},
          {"tiles_seen", tiles_json(a.tiles_seen)},
          {"input_tokens", a.input_tokens},
          {"output_tokens", a.output_tokens},
          {"cost_usd", a.cost_usd},
          {"model_latency_ms", a.model_latency_ms},
          {"elapsed_ms", a.elapsed_ms},
          {"detail", a.detail}};
}

Result<ActionRecord> parse_action_json(const nlohmann::json& node) {
  auto fail = [](const std::string& key, const std::string& what) {
    return make_error(ErrorCode::kInvalidRequest, "action." + key + ": " + what);
  };
  if (!node.is_object()) return fail("", "must be a JSON object");
  ActionRecord a;
  auto integer = [&](const char* key, auto& out) -> std::optional<Error> {
    auto it = node.find(key);
    if (it == node.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) return fail(key, "must be an integer");
    out = it->get<std::remove_reference_t<decltype(out)>>();
    return std::nullopt;
  };
  for (auto error :
       {integer("step_number", a.step_number), integer("turn_number", a.turn_number),
        integer("input_tokens", a.input_tokens), integer("output_tokens", a.output_tokens),
        integer("model_latency_ms", a.model_latency_ms), integer("elapsed_ms", a.elapsed_ms)}) {
    if (error) return *error;
  }
  auto type = node.find("action_type");
  if (type == node.end() || !type->is_string()) return fail("action_type", "must be a string");
  a.action_type = type->get<std::string>();
  if (auto it = node.find("reasoning"); it != node.end() && it->is_string()) {
    a.reasoning = it->get<std::string>();
  }
  for (auto [key, out] : {std::pair{"from", &a.from}, std::pair{"to", &a.to}}) {
    auto p = node.find(key) == node.end() ? std::nullopt : parse_position(node.at(key));
    if (!p) return fail(key, "must be {\"x\":int,\"y\":int}");
    *out = *p;
  }
  for (auto [key, out] :
       {std::pair{"success", &a.success}, std::pair{"found_goal", &a.found_goal}}) {
    if (auto it = node.find(key); it != node.end() && !it->is_null()) {
      if (!it->is_boolean()) return fail(key, "must be true or false");
      *out = it->get<bool>();
    }
  }
  if (auto it = node.find("cost_usd"); it != node.end() && !it->is_null()) {
    if (!it->is_number()) return fail("cost_usd", "must be a number");
    a.cost_usd = it->get<double>();
  }
  if (auto it = node.find("tiles_seen"); it != node.end() && !it->is_null()) {
    if (!it->is_array()) return fail("tiles_seen", "must be a list");
    for (const auto& t : *it) {
      auto p = parse_position(t);
      auto kind = t.is_object() ? t.find("type") : t.end();
      if (!p || kind == t.end() || !kind->is_string()) {
        return fail("tiles_seen", "entries must be {x, y, type}");
      }
      Cell cell = Cell::kEmpty;
      if (*kind == "wall") {
        cell = Cell::kWall;
      } else if (*kind == "goal") {
        cell = Cell::kGoal;
      } else if (*kind != "empty") {
        return fail("tiles_seen", "type must be empty, wall or goal");
      }
      a.tiles_seen.push_back({*p, cell});
    }
  }
  if (auto it = node.find("detail"); it != node.end() && !it->is_null()) a.detail = *it;
  return a;
}

Status VectorActionSink::append(std::span<const ActionRecord> actions) {
  actions_.insert(actions_.end(), actions.begin(), actions.end());
  return {};
}

}  // namespace osprey::maze
