#pragma once
// ResultsWriter: writes one job's output directory atomically:
//   <dir>/results.jsonl   one JSON line per item, keyed
//   <dir>/manifest.json   counts, timings, cost, errors by code
//   <dir>/_SUCCESS        written last: its presence means both files above are complete
// Each file is written under a temporary name, fsynced and renamed, and the directory is
// fsynced, so a crash at any point leaves either no _SUCCESS or complete files. A rewrite
// (finalize again after a crash) removes _SUCCESS first. Before writing, free space is checked
// against a floor: below it begin() fails with kInsufficientStorage and nothing is touched.
// One writer per job directory at a time; not thread-safe.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/durable_file.h"
#include "core/result.h"

namespace osprey::jobs {

inline constexpr std::string_view kResultsFile = "results.jsonl";
inline constexpr std::string_view kManifestFile = "manifest.json";
inline constexpr std::string_view kSuccessMarker = "_SUCCESS";

// Free bytes available to unprivileged writers on the file system holding `path`.
using FreeSpaceProbe = std::function<Result<std::uint64_t>(const std::string& path)>;
Result<std::uint64_t> statvfs_free_bytes(const std::string& path);

class ResultsWriter {
 public:
  ResultsWriter(std::string dir, std::uint64_t min_free_bytes,
                FreeSpaceProbe probe = statvfs_free_bytes);
  ~ResultsWriter();  // an unfinished write leaves only its temporary file, which is removed
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  // Checks free space (floor + `expected_bytes`), creates the directory, removes a stale
  // _SUCCESS and opens the temporary results file.
  Status begin(std::uint64_t expected_bytes);
  // One line (a newline is added). REQUIRES: begin() succeeded.
  Status append(std::string_view json_line);
  // Publishes results.jsonl, then manifest.json, then _SUCCESS, each durably.
  Status commit(const nlohmann::json& manifest);

  std::uint64_t bytes_written() const { return bytes_; }

 private:
  std::string dir_;
  std::uint64_t min_free_bytes_;
  FreeSpaceProbe probe_;
  std::FILE* file_ = nullptr;
  std::uint64_t bytes_ = 0;
};

// write_file_atomically (core/durable_file.h) is the same durable write for a whole file.
using osprey::write_file_atomically;

}  // namespace osprey::jobs
