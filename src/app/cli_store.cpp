#include "app/cli_store.h"

#include <filesystem>

namespace osprey::app {

Result<std::unique_ptr<store::Store>> open_cli_store(const CommandLine& cl) {
  Result<Config> config = load_config(cl.config);
  if (!config) return config.error();
  std::error_code ec;
  std::filesystem::create_directories(config->data_dir, ec);
  if (ec) {
    return make_error(ErrorCode::kConfigInvalid,
                      "data_dir: cannot create \"" + config->data_dir + "\": " + ec.message());
  }
  store::StoreOptions options;
  options.url = config->store.url;
  options.busy_timeout_ms = config->store.busy_timeout_ms;
  options.pool_size = 1;
  Result<std::unique_ptr<store::Store>> store = store::open_store(options);
  if (!store) return store.error();
  if (Status st = (*store)->migrate(); !st.ok()) return st.error();
  return store;
}

const std::string* cli_option(const CommandLine& cl, std::string_view name) {
  for (const auto& [key, value] : cl.options) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string unknown_cli_option(const CommandLine& cl,
                               std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : cl.options) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) return "unknown flag --" + key;
  }
  return {};
}

}  // namespace osprey::app
