#include <cstdio>
#include <string>

#include "app/commands.h"

namespace osprey::app {

int run_config(const CommandLine& cl) {
  if (cl.words.size() != 2 || cl.words[1] != "print") {
    return usage_failure("usage: osprey config print [--config FILE] [flags]");
  }
  if (!cl.options.empty()) return usage_failure("unknown flag --" + cl.options.front().first);
  Result<Config> config = load_config(cl.config);
  if (!config) return usage_failure(config.error().message);
  std::fputs(render_config(*config).c_str(), stdout);
  return 0;
}

}  // namespace osprey::app
