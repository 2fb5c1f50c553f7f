#pragma once
// Durable file writes: a file is written under a temporary name, fsynced and renamed, and its
// directory is fsynced, so after a crash it is either absent (or its old version) or complete.
// Used by the job results writer, the batch file store and the code-review report writer.
#include <string>
#include <string_view>

#include "core/result.h"

namespace osprey {

// fsyncs a file, or a directory (so a rename or unlink in it is durable).
Status fsync_path(const std::string& path, bool directory);

// Renames `from` to `dir/to` and fsyncs `dir`.
Status rename_durably(const std::string& dir, const std::string& from, std::string_view to);

// Writes `content` to `dir/name` via `dir/.name.tmp`, fsync and rename, then fsyncs `dir`.
Status write_file_atomically(const std::string& dir, std::string_view name,
                             std::string_view content);

}  // namespace osprey
