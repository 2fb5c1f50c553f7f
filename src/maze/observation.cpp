#include "maze/observation.h"

#include <variant>

#include "core/json_parse.h"

namespace osprey::maze {
namespace {

constexpr std::string_view kOpen = "<observation>";
constexpr std::string_view kClose = "</observation>";

Error bad(const std::string& what) {
  return make_error(ErrorCode::kInvalidRequest, "observation block: " + what);
}

const std::string* last_user_text(const providers::ChatRequest& request) {
  for (auto m = request.messages.rbegin(); m != request.messages.rend(); ++m) {
    if (m->role != providers::Role::kUser) continue;
    for (auto b = m->content.rbegin(); b != m->content.rend(); ++b) {
      if (const auto* text = std::get_if<providers::TextBlock>(&*b)) return &text->text;
    }
    return nullptr;
  }
  return nullptr;
}

}  // namespace

std::string render_observation(const Observation& o) {
  // One JSON object, the map one row per line so a person (or an LLM) can read it as a picture.
  nlohmann::json head = {{"position", position_json(o.position)},
                         {"width", o.width},
                         {"height", o.height},
                         {"turn", o.turn},
                         {"moves", o.moves},
                         {"max_actions_per_turn", o.max_actions_per_turn},
                         {"last_move", o.last_move ? nlohmann::json(direction_name(*o.last_move))
                                                   : nlohmann::json(nullptr)},
                         {"goal_rule", o.goal_rule}};
  std::string out(kOpen);
  out += "\n";
  std::string fields = head.dump();
  fields.pop_back();  // reopen the object to append the map
  out += fields + ",\n\"map\": [\n";
  for (std::size_t y = 0; y < o.map.size(); ++y) {
    out += nlohmann::json(o.map[y]).dump();
    out += y + 1 < o.map.size() ? ",\n" : "\n";
  }
  out += "]}\n";
  out += kClose;
  return out;
}

Result<Observation> find_observation(const providers::ChatRequest& request) {
  const std::string* text = last_user_text(request);
  if (text == nullptr) return bad("the request has no user message with text");
  const std::size_t open = text->rfind(kOpen);
  if (open == std::string::npos) return bad("not found in the last user message");
  const std::size_t close = text->find(kClose, open);
  if (close == std::string::npos) return bad("not closed");
  const std::size_t body = open + kOpen.size();
  nlohmann::json node = parse_json(text->substr(body, close - body));
  if (node.is_discarded() || !node.is_object()) return bad("not a JSON object");
  Observation o;
  auto position = node.contains("position") ? parse_position(node["position"]) : std::nullopt;
  if (!position) return bad("position must be {x, y}");
  o.position = *position;
  for (auto [key, out] :
       {std::pair{"width", &o.width}, std::pair{"height", &o.height}, std::pair{"turn", &o.turn},
        std::pair{"moves", &o.moves}, std::pair{"max_actions_per_turn", &o.max_actions_per_turn}}) {
    auto it = node.find(key);
    if (it == node.end() || !it->is_number_integer()) return bad(std::string(key) + " missing");
    *out = it->get<int>();
  }
  if (auto it = node.find("last_move"); it != node.end() && it->is_string()) {
    o.last_move = parse_direction(it->get<std::string>());
  }
  o.goal_rule = node.value("goal_rule", "seen");
  auto map = node.find("map");
  if (map == node.end() || !map->is_array() || map->size() != static_cast<std::size_t>(o.height)) {
    return bad("map must have `height` rows");
  }
  for (const auto& row : *map) {
    if (!row.is_string() ||
        row.get_ref<const std::string&>().size() != static_cast<std::size_t>(o.width)) {
      return bad("map rows must be strings of `width` characters");
    }
    o.map.push_back(row.get<std::string>());
  }
  return o;
}

}  // namespace osprey::maze
