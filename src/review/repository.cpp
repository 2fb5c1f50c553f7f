#include "review/repository.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace osprey::review {

namespace fs = std::filesystem;

Result<Repository> list_repository(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return make_error(ErrorCode::kInvalidRequest, root + ": not a directory");
  }
  Repository repo;
  repo.root = root;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return make_error(ErrorCode::kInvalidRequest, root + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return make_error(ErrorCode::kInvalidRequest, root + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    if (entry.is_symlink(ec)) {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    const std::string name = entry.path().filename().string();
    if (entry.is_directory(ec)) {
      if (name == ".git" || name == ".hg" || name == ".svn") it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(ec)) continue;
    RepoFile file;
    file.path = fs::relative(entry.path(), root, ec).generic_string();
    if (ec || file.path.empty()) continue;
    file.size = entry.file_size(ec);
    if (ec) continue;
    repo.files.push_back(std::move(file));
  }
  std::sort(repo.files.begin(), repo.files.end(),
            [](const RepoFile& a, const RepoFile& b) { return a.path < b.path; });
  return repo;
}

Result<std::string> read_repository_file(const std::string& root, std::string_view path) {
  const std::string full = root + "/" + std::string(path);
  std::ifstream in(full, std::ios::binary);
  if (!in) return make_error(ErrorCode::kInvalidRequest, "cannot read " + std::string(path));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return make_error(ErrorCode::kInvalidRequest, "cannot read " + std::string(path));
  return out.str();
}

}  // namespace osprey::review
