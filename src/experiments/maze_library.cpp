#include "experiments/maze_library.h"

#include <algorithm>
#include <filesystem>

#include "core/log.h"

namespace osprey::experiments {
namespace {

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 100 || id.front() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

std::vector<MazeEntry> MazeLibrary::list() const {
  std::vector<MazeEntry> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    const std::string id = entry.path().stem().string();
    if (!valid_id(id)) continue;
    auto maze = maze::Maze::load_file(entry.path().string());
    if (!maze) {
      log::warn("maze_library_skipped",
                {{"file", entry.path().string()}, {"error", maze.error().message}});
      continue;
    }
    out.push_back({id, maze->name(), maze->width(), maze->height()});
  }
  std::sort(out.begin(), out.end(),
            [](const MazeEntry& a, const MazeEntry& b) { return a.id < b.id; });
  return out;
}

Result<maze::Maze> MazeLibrary::load(const std::string& id) const {
  if (!valid_id(id)) {
    return make_error(ErrorCode::kInvalidRequest,
                      "maze: \"" + id + "\" is not a maze id ([A-Za-z0-9_.-], at most 100)");
  }
  const std::filesystem::path path = std::filesystem::path(dir_) / (id + ".json");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ErrorCode::kNotFound, "maze: no maze \"" + id + "\" in the library");
  }
  return maze::Maze::load_file(path.string());
}

}  // namespace osprey::experiments
