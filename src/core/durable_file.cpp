#include "core/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace osprey {
namespace {

Error io_error(const std::string& what, int err) {
  return make_error(ErrorCode::kInternal, what + ": " + std::strerror(err));
}

}  // namespace

Status fsync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return io_error("open " + path, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync " + path, err);
  return {};
}

Status rename_durably(const std::string& dir, const std::string& from, std::string_view to) {
  const std::string target = dir + "/" + std::string(to);
  if (::rename(from.c_str(), target.c_str()) != 0) return io_error("rename " + target, errno);
  return fsync_path(dir, true);
}

Status write_file_atomically(const std::string& dir, std::string_view name,
                             std::string_view content) {
  const std::string tmp = dir + "/." + std::string(name) + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wbe");
  if (f == nullptr) return io_error("create " + tmp, errno);
  const bool wrote = std::fwrite(content.data(), 1, content.size(), f) == content.size() &&
                     std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int err = errno;
  std::fclose(f);
  if (!wrote) {
    ::unlink(tmp.c_str());
    return io_error("write " + tmp, err);
  }
  return rename_durably(dir, tmp, name);
}

}  // namespace osprey
