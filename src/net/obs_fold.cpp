#include "net/obs_fold.h"

namespace osprey::net {

bool has_obs_fold(std::string_view head) {
  for (std::size_t lf = head.find('\n'); lf != std::string_view::npos && lf + 1 < head.size();
       lf = head.find('\n', lf + 1)) {
    if (head[lf + 1] == ' ' || head[lf + 1] == '\t') return true;
  }
  return false;
}

}  // namespace osprey::net
