#include "metrics_text.h"

#include <cstdlib>
#include <sstream>

namespace osprey::testing {

double metric_value(const std::string& text, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.compare(0, name.size(), name) != 0) continue;
    const char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    bool all = true;
    for (const auto& [k, v] : labels) {
      if (line.find(k + "=\"" + v + "\"") == std::string::npos) all = false;
    }
    if (!all) continue;
    auto space = line.rfind(' ');
    return std::strtod(line.c_str() + space + 1, nullptr);
  }
  return -1;
}

}  // namespace osprey::testing
