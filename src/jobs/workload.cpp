#include "jobs/workload.h"

#include <unordered_set>

namespace osprey::jobs {

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kRetryable:
      return "retryable";
    case Outcome::kPermanent:
      return "permanent";
    case Outcome::kRateLimited:
      return "rate_limited";
  }
  return "unknown";
}

ItemResult ItemResult::success(nlohmann::json output, std::int64_t cost_micros) {
  ItemResult r;
  r.outcome = Outcome::kSuccess;
  r.output = std::move(output);
  r.cost_micros = cost_micros;
  return r;
}

ItemResult ItemResult::failure(Outcome outcome, std::string code, std::string message) {
  ItemResult r;
  r.outcome = outcome;
  r.error_code = std::move(code);
  r.error_message = std::move(message);
  return r;
}

Result<std::vector<PlannedItem>> explicit_items(const nlohmann::json& spec, std::size_t max_items) {
  auto bad = [](std::string message) {
    return make_error(ErrorCode::kInvalidRequest, std::move(message));
  };
  auto it = spec.find("items");
  if (it == spec.end() || !it->is_array()) return bad("spec.items: must be an array");
  if (it->empty()) return bad("spec.items: must not be empty");
  if (it->size() > max_items) {
    return bad("spec.items: at most " + std::to_string(max_items) + " items per job");
  }
  std::vector<PlannedItem> items;
  items.reserve(it->size());
  std::unordered_set<std::string> keys;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& entry = (*it)[i];
    const std::string where = "spec.items[" + std::to_string(i) + "]";
    if (!entry.is_object()) return bad(where + ": must be an object");
    auto key = entry.find("key");
    if (key == entry.end() || !key->is_string() || key->get_ref<const std::string&>().empty()) {
      return bad(where + ".key: must be a non-empty string");
    }
    const std::string& k = key->get_ref<const std::string&>();
    if (k.size() > 512) return bad(where + ".key: at most 512 bytes");
    if (!keys.insert(k).second) return bad(where + ".key: duplicate key \"" + k + "\"");
    auto input = entry.find("input");
    items.push_back({k, input == entry.end() ? nlohmann::json(nullptr) : *input});
  }
  return items;
}

}  // namespace osprey::jobs
