#include "core/whole_file.h"

#include <fstream>
#include <sstream>

namespace osprey {

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kInternal, "cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();  // sets out's failbit for an empty file: not an error
  if (in.bad()) return make_error(ErrorCode::kInternal, "cannot read " + path);
  return out.str();
}

}  // namespace osprey
