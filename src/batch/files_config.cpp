#include "batch/files_config.h"

namespace osprey::batch {
Result<FilesConfig> parse_files_config(const nlohmann::json& sections,
                                       const std::string& data_dir) {
  FilesConfig c;
  c.dir = data_dir + "/files";
  const auto batch = sections.find("batch");
  if (batch == sections.end() || batch->is_null()) return c;
  if (!batch->is_object()) return config_error("batch", "must be a mapping");
  const auto files = batch->find("files");
  if (files == batch->end() || files->is_null()) return c;
  if (!files->is_object()) return config_error("batch.files", "must be a mapping");
  for (const auto& [key, value] : files->items()) {
    const std::string path = "batch.files." + key;
    if (key == "dir") {
      if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        return config_error(path, "must be a non-empty path");
      }
      c.dir = value.get<std::string>();
    } else if (key == "max_bytes") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1) {
        return config_error(path, "must be an integer >= 1");
      }
      c.max_bytes = value.get<std::uint64_t>();
    } else if (key == "max_requests") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
          value.get<std::int64_t>() > 10'000'000) {
        return config_error(path, "must be an integer in [1, 10000000]");
      }
      c.max_requests = value.get<std::size_t>();
    } else {
      return config_error(path, "unknown key");
    }
  }
  return c;
}

}  // namespace osprey::batch
