#pragma once
// Reads a whole file into memory (job results, stored batch files). BLOCKS on the disk.
#include <string>

#include "core/result.h"

namespace osprey {

// kInternal "cannot read <path>" when the file cannot be opened or read.
Result<std::string> read_whole_file(const std::string& path);

}  // namespace osprey
