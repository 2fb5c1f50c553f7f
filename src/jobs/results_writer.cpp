#include "jobs/results_writer.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/durable_file.h"

namespace osprey::jobs {
namespace {

Error io_error(const std::string& what, int err) {
  return make_error(ErrorCode::kInternal, what + ": " + std::strerror(err));
}

}  // namespace

Result<std::uint64_t> statvfs_free_bytes(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return io_error("statvfs " + path, errno);
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

ResultsWriter::ResultsWriter(std::string dir, std::uint64_t min_free_bytes, FreeSpaceProbe probe)
    : dir_(std::move(dir)), min_free_bytes_(min_free_bytes), probe_(std::move(probe)) {}

ResultsWriter::~ResultsWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    ::unlink((dir_ + "/." + std::string(kResultsFile) + ".tmp").c_str());
  }
}

Status ResultsWriter::begin(std::uint64_t expected_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return make_error(ErrorCode::kInternal, "create " + dir_ + ": " + ec.message());
  Result<std::uint64_t> free = probe_(dir_);
  if (!free) return free.error();
  if (free.value() < min_free_bytes_ + expected_bytes) {
    return make_error(ErrorCode::kInsufficientStorage,
                      "free disk space " + std::to_string(free.value()) + " bytes at " + dir_ +
                          " is below jobs.min_free_bytes (" + std::to_string(min_free_bytes_) +
                          ") plus the expected results size (" + std::to_string(expected_bytes) +
                          "); the job waits until space is freed");
  }
  // A marker from an earlier run must not vouch for the files about to be replaced.
  const std::string marker = dir_ + "/" + std::string(kSuccessMarker);
  if (::unlink(marker.c_str()) == 0) {
    if (Status st = fsync_path(dir_, true); !st.ok()) return st;
  }
  const std::string tmp = dir_ + "/." + std::string(kResultsFile) + ".tmp";
  file_ = std::fopen(tmp.c_str(), "wbe");
  if (file_ == nullptr) return io_error("create " + tmp, errno);
  bytes_ = 0;
  return {};
}

Status ResultsWriter::append(std::string_view json_line) {
  if (file_ == nullptr) return make_error(ErrorCode::kInternal, "results file not open");
  if (std::fwrite(json_line.data(), 1, json_line.size(), file_) != json_line.size() ||
      std::fputc('\n', file_) == EOF) {
    return io_error("write results", errno);
  }
  bytes_ += json_line.size() + 1;
  return {};
}

Status ResultsWriter::commit(const nlohmann::json& manifest) {
  if (file_ == nullptr) return make_error(ErrorCode::kInternal, "results file not open");
  const std::string tmp = dir_ + "/." + std::string(kResultsFile) + ".tmp";
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int err = errno;
  std::fclose(file_);
  file_ = nullptr;
  if (!flushed) {
    ::unlink(tmp.c_str());
    return io_error("fsync " + tmp, err);
  }
  if (Status st = rename_durably(dir_, tmp, kResultsFile); !st.ok()) return st;
  if (Status st = write_file_atomically(dir_, kManifestFile, manifest.dump(2) + "\n"); !st.ok()) {
    return st;
  }
  return write_file_atomically(dir_, kSuccessMarker, "");
}

}  // namespace osprey::jobs
