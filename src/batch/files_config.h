#pragma once
// FilesConfig: the `batch.files` config keys (the store of uploaded and generated files),
// parsed once at start-up. Errors are kConfigInvalid naming the key. Other keys of the `batch`
// section belong to the provider-batch driver.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace osprey::batch {

struct FilesConfig {
  std::string dir;                                 // batch.files.dir, default <data_dir>/files
  std::uint64_t max_bytes = 100ull * 1024 * 1024;  // batch.files.max_bytes: largest upload
  std::size_t max_requests = 50'000;               // batch.files.max_requests: lines per batch
};

Result<FilesConfig> parse_files_config(const nlohmann::json& sections, const std::string& data_dir);

}  // namespace osprey::batch
