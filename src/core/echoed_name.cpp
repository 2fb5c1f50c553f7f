#include "core/echoed_name.h"

namespace osprey {

std::string echoed_name(std::string_view name) {
  if (name.size() <= kMaxEchoedName) return std::string(name);
  std::string described = "<";
  described += std::to_string(name.size());
  described += " bytes>";
  return described;
}

}  // namespace osprey
