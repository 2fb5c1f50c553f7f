#pragma once
// Repository: the files of a source tree to review, as relative '/'-separated paths with sizes,
// sorted by path. Listing reads no file content; read_repository_file reads one file when a
// request needs it. Directories named .git, .hg and .svn are skipped, and symbolic links are
// never followed (a link could lead out of the tree).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace osprey::review {

struct RepoFile {
  std::string path;  // relative, '/'-separated
  std::uint64_t size = 0;
};

struct Repository {
  std::string root;  // the directory listed
  std::vector<RepoFile> files;
};

// kInvalidRequest when `root` is not a readable directory.
Result<Repository> list_repository(const std::string& root);

// The content of `path` under `root`; kInvalidRequest if it cannot be read.
Result<std::string> read_repository_file(const std::string& root, std::string_view path);

// How request building reads a file (a repository on disk, or a map in tests).
using FileReader = std::function<Result<std::string>(std::string_view path)>;

}  // namespace osprey::review
