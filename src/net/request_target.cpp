#include "net/request_target.h"

namespace osprey::net {

bool is_served_request_target(std::string_view method, std::string_view target) {
  if (target == "*") return method == "OPTIONS";
  return !target.empty() && target.front() == '/';
}

}  // namespace osprey::net
