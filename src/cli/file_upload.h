#pragma once
// upload_file: POST /v1/files as OpenAI clients do (multipart/form-data with a `purpose` field
// and a `file` part), for CLI commands that hand the server a file it may not share a disk with.
#include <optional>
#include <string>

#include "cli/api_client.h"

namespace osprey::cli {

// The new file's id; prints the server's error and returns nullopt on failure.
std::optional<std::string> upload_file(const ApiContext& c, const std::string& filename,
                                       const std::string& content, const std::string& purpose);

// The multipart body for `upload_file` with the given boundary (which must not occur in it).
std::string multipart_file_body(const std::string& boundary, const std::string& filename,
                                const std::string& content, const std::string& purpose);

}  // namespace osprey::cli
