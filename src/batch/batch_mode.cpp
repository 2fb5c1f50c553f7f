#include "batch/batch_mode.h"

#include <string>

namespace osprey::batch {

std::string_view batch_mode_name(BatchMode mode) {
  switch (mode) {
    case BatchMode::kSync:
      return "sync";
    case BatchMode::kNative:
      return "native";
    case BatchMode::kAuto:
      return "auto";
  }
  return "sync";
}

std::optional<BatchMode> parse_batch_mode_name(std::string_view name) {
  if (name == "sync") return BatchMode::kSync;
  if (name == "native") return BatchMode::kNative;
  if (name == "auto") return BatchMode::kAuto;
  return std::nullopt;
}

Result<BatchMode> batch_mode_of(const nlohmann::json& spec) {
  const auto it = spec.find("mode");
  if (it == spec.end()) return BatchMode::kSync;
  std::optional<BatchMode> mode;
  if (it->is_string()) mode = parse_batch_mode_name(it->get_ref<const std::string&>());
  if (!mode) {
    return make_error(ErrorCode::kInvalidRequest, "mode: must be \"sync\", \"native\" or \"auto\"");
  }
  return *mode;
}

}  // namespace osprey::batch
