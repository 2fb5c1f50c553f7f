#pragma once
// MazeLibrary: the named mazes experiments can refer to by id — the JSON files (original Oriole
// format) in experiments.library_dir; a file's name without ".json" is its id
// ("03_medium_maze"). Read on each call, so files added while the server runs are seen.
// Thread-safe (no state besides the directory).
#include <string>
#include <vector>

#include "core/result.h"
#include "maze/maze.h"

namespace osprey::experiments {

struct MazeEntry {
  std::string id;
  std::string name;
  int width = 0;
  int height = 0;
};

class MazeLibrary {
 public:
  explicit MazeLibrary(std::string dir) : dir_(std::move(dir)) {}

  // Every readable maze, by id; files that fail to parse are skipped (and logged).
  std::vector<MazeEntry> list() const;
  // kNotFound for an unknown id; kInvalidRequest for an id that is not [A-Za-z0-9_.-]{1,100}.
  Result<maze::Maze> load(const std::string& id) const;

 private:
  std::string dir_;
};

}  // namespace osprey::experiments
